"""Roles are Django groups; these helpers answer "what may this person do"."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser, Group, User

from stories.enums import Role

AnyUser = User | AnonymousUser


def roles_of(user: AnyUser | None) -> set[Role]:
    """All roles a user holds; superusers hold the admin role implicitly."""
    if user is None or not user.is_authenticated:
        return set()
    names = {group.name for group in user.groups.all()}
    roles = {role for role in Role if role.value in names}
    if getattr(user, "is_superuser", False):
        roles.add(Role.ADMIN)
    return roles


def has_role(user: AnyUser | None, *roles: Role) -> bool:
    """True when the user holds at least one of ``roles``."""
    return bool(roles_of(user) & set(roles))


def is_curator(user: AnyUser | None) -> bool:
    """Curators and admins review, edit and act on any story."""
    return has_role(user, Role.CURATOR, Role.ADMIN)


def grant(user: User, role: Role) -> None:
    """Give ``user`` the role, creating its group on first use."""
    group, _ = Group.objects.get_or_create(name=role.value)
    user.groups.add(group)
    if role == Role.ADMIN:
        user.is_staff = True
        user.is_superuser = True
        user.save(update_fields=["is_staff", "is_superuser"])
