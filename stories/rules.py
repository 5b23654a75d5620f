"""Who may do what to a story. Views ask these; they never test roles themselves."""

from __future__ import annotations

import enum

from stories.domain.roles import AnyUser, has_role, is_curator
from stories.enums import Role, StoryStatus
from stories.models import Drive, Story

# A reporter may still change their story until a curator has approved it.
REPORTER_EDITABLE = frozenset(
    {
        StoryStatus.DRAFT,
        StoryStatus.SUBMITTED,
        StoryStatus.PROCESSING,
        StoryStatus.NEEDS_REVIEW,
        StoryStatus.FAILED,
    }
)


def is_submitter(user: AnyUser | None) -> bool:
    """A signed-in account that tells stories: a reporter, curator or admin."""
    return has_role(user, Role.REPORTER, Role.CURATOR, Role.ADMIN)


def can_submit(user: AnyUser | None, drive: Drive) -> bool:
    """Anyone may submit to a light-touch drive; otherwise a signed-in reporter or curator."""
    if user is None or not user.is_authenticated:
        return drive.allow_light_touch
    return is_submitter(user)


def can_list_stories(user: AnyUser | None) -> bool:
    """Reporters list their own stories, curators all; services use the public feeds."""
    return has_role(user, Role.REPORTER, Role.CURATOR, Role.ADMIN)


def is_owner(user: AnyUser | None, story: Story) -> bool:
    return bool(user is not None and user.is_authenticated and story.reporter_id == user.pk)


def can_view(user: AnyUser | None, story: Story) -> bool:
    return is_curator(user) or is_owner(user, story)


def can_edit_content(user: AnyUser | None, story: Story) -> bool:
    """Curators edit until withdrawal; owners until approval."""
    if story.status == StoryStatus.WITHDRAWN:
        return False
    if is_curator(user):
        return True
    return is_owner(user, story) and story.status in REPORTER_EDITABLE


def can_curate(user: AnyUser | None) -> bool:
    """Review, redact, decide themes, approve, build collections and publish."""
    return is_curator(user)


class CuratorAccess(enum.Enum):
    """The answer to "may this person use the curators' tools?", in the three ways it can go."""

    ALLOWED = "allowed"
    SIGN_IN = "sign-in"  # nobody is signed in: ask them to, rather than refuse
    REFUSED = "refused"  # signed in, but not as a curator or admin


def curator_access(user: AnyUser | None) -> CuratorAccess:
    """The one "curators only" check: the console, the review API and the taxonomy editor ask it."""
    if user is None or not user.is_authenticated:
        return CuratorAccess.SIGN_IN
    return CuratorAccess.ALLOWED if can_curate(user) else CuratorAccess.REFUSED


def sees_health_detail(user: AnyUser | None) -> bool:
    """Operators (curators, admins) read the health checks' detail: worker names, disk."""
    return is_curator(user)


def sees_all_stories(user: AnyUser | None) -> bool:
    """Curators list every story and read the curators' view of it (reporter, timings)."""
    return is_curator(user)


def can_change_status(user: AnyUser | None) -> bool:
    return can_curate(user)


def can_withdraw(user: AnyUser | None, story: Story) -> bool:
    """Owners withdraw their own story; curators on a reporter's behalf (e.g. asked by phone)."""
    return can_view(user, story)


def withdraws_on_behalf(user: AnyUser | None, story: Story) -> bool:
    """A curator withdrawing someone else's story (asked by phone or letter): they must say
    why, and the audit trail keeps who did it and why."""
    return is_curator(user) and not is_owner(user, story)
