"""The reporter app: join a drive, tell a story, get a receipt, follow or withdraw it.

Every page works as a plain HTML form; ``static/frontend/reporter.js`` adds recording,
resumable (tus) uploads and an offline queue on top. Submission goes through the same
rules (``stories.domain.submission``) and limits as the API.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from frontend.views.answers import question_rows
from frontend.views.common import current_language, localised, qr_svg
from stories.api.throttles import receipt_wait, submission_wait
from stories.domain import consent, questions, receipts, submission
from stories.domain.submission import consent_text_for
from stories.enums import ConsentChannel, ConsentScope, StoryKind, StoryStatus
from stories.models import Drive, Story, Theme

SCOPE_HELP = {
    ConsentScope.STORE: (
        gettext_noop("Keep my story"),
        gettext_noop(
            "We keep your story safely so the people who run the service can learn from it. "
            "This is needed to send a story."
        ),
    ),
    ConsentScope.PUBLISH_TEXT: (
        gettext_noop("Publish my words"),
        gettext_noop(
            "Your words may be shown publicly, with names and other personal details removed. "
            "This never shows your photo or video."
        ),
    ),
    ConsentScope.PUBLISH_AUDIO: (
        gettext_noop("Publish my voice"),
        gettext_noop("Your recording may be played publicly. Your voice can be recognised."),
    ),
    ConsentScope.PUBLISH_IMAGE: (
        gettext_noop("Publish my photo, blurred"),
        gettext_noop(
            "A copy of your photo, or one still picture from your video, may be shown publicly. "
            "We blur faces and personal text such as name tags first, and a curator checks "
            "the picture. Blurring can miss something. Your video itself is not shown."
        ),
    ),
    ConsentScope.PUBLISH_FACE: (
        gettext_noop("Show my face without blurring"),
        gettext_noop(
            "Only together with publishing your photo: your face is shown as it is, and people "
            "can recognise you. If you also agree to publish your voice, your video may be "
            "shown as you filmed it. Personal text is still blurred."
        ),
    ),
    ConsentScope.RESEARCH: (
        gettext_noop("Use for research"),
        gettext_noop("Researchers may study your story, without your name."),
    ),
}

STATUS_WORDS = {
    StoryStatus.DRAFT: gettext_noop("Not sent yet."),
    StoryStatus.SUBMITTED: gettext_noop("Received. We will get it ready for a curator soon."),
    StoryStatus.PROCESSING: gettext_noop("We are getting it ready for a curator to read."),
    StoryStatus.NEEDS_REVIEW: gettext_noop("Waiting for a curator to read it."),
    StoryStatus.APPROVED: gettext_noop("Approved by a curator."),
    StoryStatus.PUBLISHED: gettext_noop("Published."),
    StoryStatus.REJECTED: gettext_noop("Not accepted."),
    StoryStatus.FAILED: gettext_noop("Something went wrong on our side while getting it ready."),
    StoryStatus.WITHDRAWN: gettext_noop("Withdrawn. Everything you sent has been deleted."),
}

# How to tell a story, in the reporter's words (StoryKind's labels are for developers).
KIND_WORDS = {
    StoryKind.TEXT: gettext_noop("Write"),
    StoryKind.AUDIO: gettext_noop("Speak"),
    StoryKind.VIDEO: gettext_noop("Film"),
    StoryKind.PHOTO: gettext_noop("Photo"),
}


def scope_rows(selected: set[str], *, only: set[str] | None = None) -> list[dict[str, Any]]:
    """The consent scopes with plain-language wording, in the reader's language."""
    rows = []
    for scope in ConsentScope:
        if only is not None and scope.value not in only:
            continue
        title, text = SCOPE_HELP[scope]
        rows.append(
            {
                "name": scope.value,
                "title": _(title),
                "help": _(text),
                "checked": scope.value in selected,
                "required": scope == ConsentScope.STORE,
            }
        )
    return rows


def js_strings() -> dict[str, Any]:
    """Words the scripts show, translated here so the scripts need no catalogue."""
    return {
        "queued": _(
            "No connection. Your story is saved on this phone and will be sent "
            "when you are online again."
        ),
        "sending": _("Sending your story…"),
        "uploading": _("Uploading"),
        "processing": _("Processing"),
        "sent": _("Your story was sent."),
        "copied": _("Copied"),
        "retrying": _("Connection lost. Trying again…"),
        "failed": _("Your story could not be sent:"),
        "record": _("Record"),
        "pause": _("Pause"),
        "resume": _("Resume"),
        "stop": _("Stop"),
        "rerecord": _("Record again"),
        "recording": _("Recording…"),
        "paused": _("Paused"),
        "recorded": _("Recorded"),
        "nomic": _("The microphone cannot be used. You can choose a file instead."),
        "needfile": _("Record something or choose a file first."),
        "statuses": {status.value: _(words) for status, words in STATUS_WORDS.items()},
    }


def facilitator_strings() -> dict[str, str]:
    """Words facilitator.js shows (the drive page in facilitator mode)."""
    return {
        "person": _("Person"),
        "cleared": _("This workshop's receipts and labels are removed from this phone."),
        "stillwaiting": _(
            "Some stories are still waiting to be sent. Clear the workshop after they are sent "
            "and their slips are printed."
        ),
    }


def in_facilitator_mode(request: HttpRequest) -> bool:
    """Whether the drive page is in facilitator mode (``?mode=facilitator``).

    Anyone the drive takes stories from may use it: it adds no power beyond telling stories,
    and a workshop's shared phone rarely has an account. The consent record says the consent
    was read aloud by a facilitator, and names the account when one is signed in.
    """
    return request.GET.get("mode") == "facilitator"


def status_words(status: str) -> str:
    return _(STATUS_WORDS.get(StoryStatus(status), status))


def prompts_for(drive: Drive, language: str) -> list[str]:
    """The drive's prompts in ``language``, else its default language, else any."""
    found = []
    for prompt in drive.prompts or []:
        if isinstance(prompt, dict):
            text = prompt.get(language) or prompt.get(drive.default_language)
            text = text or next(iter(prompt.values()), "")
        else:
            text = str(prompt)
        if text:
            found.append(str(text))
    return found


def themes_for(language: str, chosen: set[str]) -> list[dict[str, Any]]:
    return [
        {
            "slug": theme.slug,
            "label": theme.label(language),
            "description": theme.description(language),
            "checked": theme.slug in chosen,
        }
        for theme in Theme.objects.all()
    ]


def receipt_link(request: HttpRequest, receipt: str) -> str:
    """The status page with the receipt in the fragment, which never reaches a server."""
    return request.build_absolute_uri(reverse("frontend:status")) + "#" + receipt


@localised
def home(request: HttpRequest) -> HttpResponse:
    drives = Drive.objects.filter(is_open=True).order_by("-created_at")[:50]
    return render(request, "frontend/reporter/home.html", {"drives": drives})


@never_cache
@localised
@require_http_methods(["GET", "POST"])
def drive_page(request: HttpRequest, slug: str) -> HttpResponse:
    """Join a drive and tell a story: the form, and its no-JS submission."""
    drive = get_object_or_404(Drive, slug=slug)
    language = current_language()
    facilitator = in_facilitator_mode(request)
    values: dict[str, Any] = {"kind": StoryKind.TEXT.value, "language": language}
    errors: dict[str, list[str]] = {}
    wait: float | None = None
    if request.method == "POST":
        if not drive.is_open:
            raise Http404
        # The API's limits (per account, per drive, per address) hold for the form too.
        wait = submission_wait(request, drive.slug)
        values = {key: request.POST.get(key, "") for key in ("kind", "title", "text", "place")}
        values["language"] = request.POST.get("language", language)
        values["answers"] = questions.from_form(drive, request.POST)
        values["read_aloud"] = request.POST.get("read_aloud") == "on"
        scopes = {
            scope.value: request.POST.get(f"consent_{scope.value}") == "on"
            for scope in ConsentScope
        }
        # The boxes' values are theme slugs; one with NUL cannot have come from this page.
        themes = [slug for slug in request.POST.getlist("themes") if "\x00" not in slug]
        if facilitator and not values["read_aloud"]:
            errors = {"read_aloud": [_("Read the consent text aloud to the storyteller first.")]}
        elif wait is None:
            try:
                return submitted(request, drive, values, scopes, themes, facilitator=facilitator)
            except submission.InvalidSubmission as invalid:
                errors = invalid.errors
        else:
            errors = {"form": [too_many_stories(wait)]}
        selected = {scope for scope, given in scopes.items() if given}
        chosen = set(themes)
    else:
        # A facilitator ticks each scope as the storyteller answers it: nothing is ticked ahead.
        selected = set() if facilitator else {ConsentScope.STORE.value}
        chosen = set()
    consent_text = consent_text_for(drive, language)
    drive_link = request.build_absolute_uri(reverse("frontend:drive", args=[drive.slug]))
    context = {
        "drive": drive,
        "prompts": prompts_for(drive, language),
        "consent_text": consent_text,
        "scopes": scope_rows(selected),
        "themes": themes_for(language, chosen),
        "questions": question_rows(drive, language, request.POST),
        "kinds": [(kind.value, _(KIND_WORDS[kind])) for kind in StoryKind],
        "values": values,
        "errors": errors,
        "js_strings": {**js_strings(), **(facilitator_strings() if facilitator else {})},
        "drive_link": drive_link,
        "drive_qr": qr_svg(drive_link, title=_("QR code for this drive's link")),
        "max_upload_mb": settings.TARINA_MAX_UPLOAD_BYTES // (1024 * 1024),
        "facilitator": facilitator,
        "status_url": request.build_absolute_uri(reverse("frontend:status")),
    }
    return render(
        request,
        "frontend/reporter/drive.html",
        context,
        status=429 if wait is not None else 400 if errors else 200,
    )


def submitted(
    request: HttpRequest,
    drive: Drive,
    values: dict[str, Any],
    scopes: dict[str, bool],
    themes: list[str],
    *,
    facilitator: bool = False,
) -> HttpResponse:
    """Store the form's story and redirect to its receipt; raises ``InvalidSubmission`` if it
    breaks a rule. The rules are the API's (``stories.domain.submission``). In facilitator
    mode the consent record says it was read aloud by a facilitator."""
    form = submission.FormInput(
        drive=drive,
        kind=values["kind"],
        title=values["title"],
        text=values["text"],
        language=values["language"],
        place=values["place"],
        consent_scopes=scopes,
        theme_slugs=themes,
        answers=values["answers"],
        files=[f for f in request.FILES.getlist("files") if f.size],
        reporter=request.user,
        channel=ConsentChannel.FACILITATOR if facilitator else ConsentChannel.WEB,
    )
    try:
        incoming = submission.read_form(form)
    except submission.SubmissionRefused as refused:
        raise PermissionDenied(str(refused)) from None
    result = submission.submit(incoming)
    # POST/redirect/GET: a reload of the receipt page must not send the story again. The
    # receipt waits in the session (never in the URL, so never in access logs) for one GET.
    request.session[RECEIPT_SESSION_KEY] = {"receipt": result.receipt, "story": result.story.pk}
    see_other = redirect("frontend:drive-sent", slug=drive.slug)
    see_other.status_code = 303  # See Other: the browser GETs the receipt page
    return see_other


RECEIPT_SESSION_KEY = "tarina_receipt_once"


@never_cache
@localised
@require_http_methods(["GET"])
def sent_page(request: HttpRequest, slug: str) -> HttpResponse:
    """The no-JS form's receipt, shown once after the redirect, then dropped from the session."""
    drive = get_object_or_404(Drive, slug=slug)
    kept = request.session.pop(RECEIPT_SESSION_KEY, None)
    story = Story.objects.filter(pk=kept["story"]).first() if isinstance(kept, dict) else None
    if story is None or not receipts.looks_valid(str(kept.get("receipt", ""))):
        response = render(request, "frontend/reporter/receipt.html", {"drive": drive})
        response["Cache-Control"] = "no-store"
        return response
    return receipt_page(request, drive, str(kept["receipt"]), story)


def receipt_groups(receipt: str) -> list[str]:
    """The receipt cut into short pieces (two blocks each) that the page keeps on one line."""
    blocks = receipt.split("-")
    return ["-".join(blocks[i : i + 2]) for i in range(0, len(blocks), 2)]


def too_many_stories(wait: float) -> str:
    """The form's answer to a throttled submission, with the wait in whole minutes."""
    minutes = max(1, round(wait / 60))
    return _("Too many stories were sent from here just now. Try again in %(n)s min.") % {
        "n": minutes
    }


def receipt_page(request: HttpRequest, drive: Drive, receipt: str, story: Story) -> HttpResponse:
    link = receipt_link(request, receipt)
    response = render(
        request,
        "frontend/reporter/receipt.html",
        {
            "drive": drive,
            "receipt": receipt,
            "receipt_groups": receipt_groups(receipt),
            "status_text": status_words(story.status),
            "status_link": link,
            "qr": qr_svg(link, title=_("QR code of your receipt")),
            "js_strings": js_strings(),
        },
    )
    response["Cache-Control"] = "no-store"
    return response


@require_POST
def receipt_qr(request: HttpRequest) -> HttpResponse:
    """An SVG QR code of a receipt's status link, for the script's receipt screen.

    POST, so that the receipt is not written into access logs as part of a URL.
    """
    receipt = request.POST.get("receipt", "")
    if not receipts.looks_valid(receipt):
        return HttpResponseBadRequest("not a receipt")
    response = HttpResponse(
        qr_svg(receipt_link(request, receipt), title=_("QR code of your receipt")),
        content_type="image/svg+xml; charset=utf-8",
    )
    response["Cache-Control"] = "no-store"
    return response


@never_cache
@localised
@require_http_methods(["GET", "POST"])
def status_page(request: HttpRequest) -> HttpResponse:
    """Look a story up by its receipt; withdraw it or narrow its consent, after confirming."""
    context: dict[str, Any] = {"step": "ask"}
    if request.method == "GET":
        return render(request, "frontend/reporter/status.html", context)
    # One budget per client (TARINA_RECEIPT_THROTTLE), shared with the API's receipt look-ups.
    if receipt_wait(request) is not None:
        context["error"] = _("Too many tries. Wait a minute and try again.")
        return render(request, "frontend/reporter/status.html", context, status=429)
    receipt = request.POST.get("receipt", "").strip()
    story = receipts.find_story(receipt)
    if story is None:
        context["error"] = _("No story matches this receipt. Check it for typing errors.")
        context["receipt"] = receipt
        return render(request, "frontend/reporter/status.html", context, status=404)
    step = request.POST.get("step", "lookup")
    record = consent.current(story)
    granted = set(record.scopes) if record else set()
    keep = {s for s in request.POST.getlist("keep") if s in granted}
    context.update(receipt=receipt, story=story, step="show")
    if step == "withdraw":
        context["step"] = "confirm-withdraw"
    elif step == "withdraw-confirmed":
        consent.withdraw(story, actor_label="receipt holder")
        story.refresh_from_db()
        context["done"] = _("Your story has been withdrawn and everything you sent is deleted.")
    elif step == "narrow":
        context.update(
            step="confirm-narrow",
            keep_rows=scope_rows(keep, only=keep),
            dropped=scope_rows(set(), only=granted - keep),
        )
        if ConsentScope.STORE.value not in keep:
            context["step"] = "confirm-withdraw"
    elif step == "narrow-confirmed":
        consent.narrow(story, {s: True for s in keep}, actor_label="receipt holder")
        story.refresh_from_db()
        context["done"] = _("Your consent has been changed.")
    record = consent.current(story)
    granted = set(record.scopes) if record else set()
    context.update(
        status_text=status_words(story.status),
        reason=story.status_reason
        if story.status in (StoryStatus.REJECTED, StoryStatus.FAILED)
        else "",
        withdrawn=story.status == StoryStatus.WITHDRAWN,
        granted_rows=scope_rows(granted, only=granted),
        percent=story.processing_percent,
        keep_values=sorted(keep),
    )
    return render(request, "frontend/reporter/status.html", context)


def manifest(request: HttpRequest) -> HttpResponse:
    response = render(
        request,
        "frontend/manifest.webmanifest",
        {"name": "Tarina"},
        content_type="application/manifest+json",
    )
    return response


def service_worker(request: HttpRequest) -> HttpResponse:
    """The service worker, served from the site root so that its scope is the whole site."""
    response = render(request, "frontend/sw.js", content_type="text/javascript; charset=utf-8")
    response["Cache-Control"] = "no-cache"
    response["Service-Worker-Allowed"] = "/"
    return response


@localised
def offline(request: HttpRequest) -> HttpResponse:
    return render(request, "frontend/reporter/offline.html")
