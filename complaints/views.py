"""Intake, the complaint page and its steps. Each view parses a form, calls ``services`` and shows
its refusal; what a user sees of a complaint is decided by ``services.audience``."""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST
from django.views.generic import CreateView, FormView

from tsprotect.accounts.throttle import limit_posts
from tsprotect.core import scoping
from tsprotect.core.forms import RecusalForm, add_errors
from tsprotect.core.network import client_ip
from tsprotect.core.uploads import storing_files
from tsprotect.core.views import ScopedCreateView, ScopedDetailView, private_file, show_errors

from . import services
from .forms import (
    ActionForm,
    ComplaintForm,
    EndPauseForm,
    EnterpriseComplaintForm,
    EvidenceForm,
    ExtendForm,
    PauseForm,
    PublicReportForm,
    PublishForm,
    StepForm,
    TransferForm,
    error_messages,
)
from .models import (
    ClockPause,
    Complaint,
    CreditPush,
    EvidenceAccess,
    EvidenceFile,
    InvestigationStep,
)
from .workflow import (
    AUDIENCES,
    COMPLAINANT_STATUS,
    EVENT_LABELS,
    INVESTIGATING_STATES,
    TRANSFERABLE_STATES,
    TRANSITIONS_BY_ACTION,
)

# How many openings of evidence files the complaint's page lists, newest first.
ACCESS_LOG_LENGTH = 50


def _success(request, complaint):
    messages.success(
        request,
        _("Registered as %(reference)s. The first decision is due by %(date)s.")
        % {
            "reference": complaint.reference,
            "date": complaint.accept_deadline.isoformat() if complaint.accept_deadline else "—",
        },
    )


class _IntakeMixin:
    model = Complaint

    def form_valid(self, form):
        try:
            self.object = form.save()
        except ValidationError as error:
            add_errors(form, error)
            return self.form_invalid(form)
        _success(self.request, self.object)
        return redirect(self.object)


class ComplaintCreateView(_IntakeMixin, ScopedCreateView):
    """An officer registers a hotline call, a referral, a walk-in or a letter."""

    form_class = ComplaintForm
    template_name = "complaints/complaint_form.html"

    def dispatch(self, request, *args, **kwargs):
        user = request.user
        if user.is_authenticated and not scoping.prefectures_for(user, Complaint, "add").exists():
            if scoping.enterprise_ids(user):
                return redirect("complaints:file")
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class EnterpriseComplaintView(_IntakeMixin, LoginRequiredMixin, CreateView):
    """An enterprise files its own complaint online; the bureau of its prefecture handles it."""

    form_class = EnterpriseComplaintForm
    template_name = "complaints/complaint_file.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not scoping.enterprise_ids(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}


@method_decorator(limit_posts("public_report"), name="dispatch")
class PublicReportView(FormView):
    """Anyone reports an infringement, without an account. The answer shows the reference
    number and what happens next, and nothing else: the report itself is never public."""

    form_class = PublicReportForm
    template_name = "complaints/public_report.html"

    def form_valid(self, form):
        try:
            complaint = form.save()
        except ValidationError as error:
            add_errors(form, error)
            return self.form_invalid(form)
        return render(
            self.request,
            "complaints/public_report_sent.html",
            {"reference": complaint.reference, "named": not complaint.anonymous},
        )


def _clock_status(clock, complaint):
    """What the clocks table says of one clock: met, late, overdue, running or paused."""
    if clock.met_at is not None:
        return ("late", _("met late")) if clock.met_late else ("met", _("met"))
    if not complaint.is_open:
        return ("stopped", _("stopped (closed)"))
    if not clock.limit.active:
        return ("stopped", _("no longer in force"))
    if clock.due_on is None:
        return ("paused", _("paused"))
    if clock.is_overdue():
        return ("overdue", _("overdue"))
    return ("running", _("running"))


def _complainant_label(event):
    if event.action == "create":
        return EVENT_LABELS["create"]
    if event.action == "feedback":
        return _("The bureau's answer is given")
    return COMPLAINANT_STATUS.get(event.to_state, event.get_action_display())


class ComplaintDetailView(ScopedDetailView):
    """One page per audience: the bureau handling it sees everything and every step it may
    take; an expert consulted the facts, evidence and investigation; a bureau that handed it on
    a read-only trace; the complainant where its complaint stands and the feedback."""

    model = Complaint
    related = (
        "prefecture",
        "county",
        "complainant_enterprise",
        "respondent_enterprise",
        "handler",
        "registered_by",
        "next_limit",
    )

    def get_object(self, queryset=None):
        complaint = super().get_object(queryset)
        self.audience = services.audience(self.request.user, complaint)
        return complaint

    def get_template_names(self):
        return [f"complaints/complaint_{self.audience}.html"]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["audience"] = self.audience
        context["fields"] = AUDIENCES[self.audience].fields
        events, notes = services.visible_events(self.object, self.audience)
        context["events"], context["event_notes"] = events, notes
        context.update(getattr(self, f"_{self.audience}_context")(self.object))
        return context

    def _handler_context(self, complaint):
        user = self.request.user
        clocks = services.current_clocks(complaint)
        for clock in clocks:
            clock.status, clock.status_label = _clock_status(clock, complaint)
        pauses = list(complaint.pauses.select_related("by"))
        credit_push = (
            CreditPush.objects.restrict(user)
            .filter(complaint=complaint)
            .select_related("provision")
            .first()
        )
        context = {
            "clocks": clocks,
            "extensions": sorted(
                (e for clock in clocks for e in clock.extensions.all()),
                key=lambda e: (e.decided_on, e.pk),
            ),
            "pauses": pauses,
            "credit_push": credit_push,
            "overdue": complaint.is_overdue(),
            "steps": self._steps(complaint),
            "evidence_files": self._evidence(complaint),
            "accesses": EvidenceAccess.objects.restrict(user)
            .filter(evidence__complaint=complaint)
            .select_related("user", "evidence")[:ACCESS_LOG_LENGTH],
            "transfers": self._transfers(complaint),
            "access_grants": services.access_history(complaint),
        }
        if not complaint.is_open:
            return context
        context["transitions"] = [
            (transition, ActionForm(transition=transition))
            for transition in services.available_transitions(complaint, user)
        ]
        if complaint.state in INVESTIGATING_STATES:
            context["step_form"] = StepForm(user=user)
        context["pause_form"] = PauseForm()
        if any(p.ended_on is None for p in pauses):
            context["end_pause_form"] = EndPauseForm()
        extendable = [c for c in clocks if services.extendable(c)]
        if extendable:
            context["extend_form"] = ExtendForm(clocks=extendable)
        if complaint.state in TRANSFERABLE_STATES:
            context["transfer_form"] = TransferForm(complaint=complaint, user=user)
        context["evidence_form"] = EvidenceForm()
        if credit_push is not None and not credit_push.published_on:
            context["publish_form"] = PublishForm()
        return context

    def _expert_context(self, complaint):
        return {"steps": self._steps(complaint), "evidence_files": self._evidence(complaint)}

    def _trace_context(self, complaint):
        return {"transfers": self._transfers(complaint)}

    def _complainant_context(self, complaint):
        # Told as where the complaint stands, not as the bureau's internal step.
        events, _notes = services.visible_events(complaint, "complainant")
        events = [(event, _complainant_label(event)) for event in events]
        context = {"public_events": events}
        if complaint.is_open:
            context["evidence_form"] = EvidenceForm()
        return context

    def _steps(self, complaint):
        return (
            InvestigationStep.objects.restrict(self.request.user)
            .filter(complaint=complaint)
            .select_related("recorded_by")
            .prefetch_related("experts")
        )

    def _evidence(self, complaint):
        return (
            EvidenceFile.objects.restrict(self.request.user)
            .filter(complaint=complaint)
            .select_related("uploaded_by")
        )

    def _transfers(self, complaint):
        return complaint.jurisdiction_transfers.select_related(
            "from_prefecture", "to_prefecture", "by"
        )


# The steps, posted from the complaint's page ------------------------------------------------


def _complaint(request, pk):
    return get_object_or_404(Complaint.objects.restrict(request.user, "view"), pk=pk)


def _back(complaint, anchor):
    return redirect(f"{complaint.get_absolute_url()}#{anchor}")


def _form_refused(request, form):
    for line in error_messages(form):
        messages.error(request, line)


def _refused(request, error, form):
    """The service's refusal as messages, each naming the field it is about."""
    if hasattr(error, "error_dict"):
        lines = []
        for name, field_messages in error.message_dict.items():
            field = form.fields.get(name)
            prefix = f"{field.label}: " if field is not None else ""
            lines += [f"{prefix}{message}" for message in field_messages]
        error = ValidationError(lines)
    show_errors(request, error)


def _run(request, complaint, form, anchor, call, done):
    """Parse ``form``; if valid, ``call(cleaned_data)`` (a service); report and go back."""
    if not form.is_valid():
        _form_refused(request, form)
        return _back(complaint, anchor)
    try:
        result = call(form.cleaned_data)
    except ValidationError as error:
        _refused(request, error, form)
    else:
        messages.success(request, done(result) if callable(done) else done)
    return _back(complaint, anchor)


@login_required
@require_POST
def act(request, pk, action):
    complaint = _complaint(request, pk)
    transition = TRANSITIONS_BY_ACTION.get(action)
    if transition is None:
        raise Http404
    form = ActionForm(request.POST, transition=transition)

    def call(cleaned):
        note, data = form.data_for_service()
        return services.transition(complaint, action, request.user, note, **data)

    def done(changed):
        return _("Done: %(action)s. The complaint is now “%(state)s”.") % {
            "action": transition.label,
            "state": changed.get_state_display(),
        }

    return _run(request, complaint, form, "steps", call, done)


@login_required
@require_POST
def add_evidence(request, pk):
    complaint = _complaint(request, pk)
    form = EvidenceForm(request.POST, request.FILES)

    def call(cleaned):
        # All the files or none: a refusal of the second leaves no first one behind, on disk
        # either.
        with storing_files():
            for uploaded, checked, _title in form.evidence:
                services.add_evidence(
                    complaint, uploaded, checked, title=cleaned["title"], user=request.user
                )
        return len(form.evidence)

    def done(count):
        return ngettext(
            "%(count)s evidence file is added.", "%(count)s evidence files are added.", count
        ) % {"count": count}

    return _run(request, complaint, form, "evidence", call, done)


@login_required
@require_POST
def log_step(request, pk):
    complaint = _complaint(request, pk)
    form = StepForm(request.POST, user=request.user)

    def call(cleaned):
        return services.log_step(
            complaint,
            request.user,
            kind=cleaned["kind"],
            happened_on=cleaned["happened_on"],
            actions=cleaned["actions"],
            findings=cleaned["findings"],
            experts=cleaned["experts"],
        )

    def done(step):
        if cleaned_experts := form.cleaned_data["experts"]:
            return ngettext(
                "The step is logged; the expert consulted can now open the evidence.",
                "The step is logged; the %(count)s experts consulted can now open the evidence.",
                len(cleaned_experts),
            ) % {"count": len(cleaned_experts)}
        return _("The investigation step is logged.")

    return _run(request, complaint, form, "investigation", call, done)


@login_required
@require_POST
def start_pause(request, pk):
    complaint = _complaint(request, pk)
    form = PauseForm(request.POST)

    def call(cleaned):
        return services.start_pause(
            complaint,
            request.user,
            reason=cleaned["reason"],
            started_on=cleaned["started_on"],
            note=cleaned["note"],
        )

    done = _("The pause is recorded; the clocks it stops are held until it ends.")
    return _run(request, complaint, form, "clocks", call, done)


@login_required
@require_POST
def end_pause(request, pk):
    # A pause is an internal of the clocks: reached only by those who see the clocks.
    pause = get_object_or_404(
        ClockPause.objects.restrict(request.user, "view").select_related("complaint"), pk=pk
    )
    form = EndPauseForm(request.POST)

    def call(cleaned):
        return services.end_pause(pause, request.user, ended_on=cleaned["ended_on"])

    done = _("The pause has ended; the clocks run again.")
    return _run(request, pause.complaint, form, "clocks", call, done)


@login_required
@require_POST
def extend(request, pk):
    complaint = _complaint(request, pk)
    form = ExtendForm(request.POST, request.FILES)

    def call(cleaned):
        return services.extend(
            complaint,
            request.user,
            limit_code=cleaned["limit"],
            kind=cleaned["kind"],
            period=cleaned["period"],
            approved_by=cleaned["approved_by"],
            decided_on=cleaned["decided_on"],
            document_number=cleaned["document_number"],
            document=form.document_for_service(),
            reason=cleaned["reason"],
        )

    def done(extension):
        clock = extension.clock
        return _("%(limit)s is extended; it is now due on %(date)s.") % {
            "limit": clock.limit.label,
            "date": clock.due_on.isoformat() if clock.due_on else "—",
        }

    return _run(request, complaint, form, "clocks", call, done)


@login_required
@require_POST
def transfer(request, pk):
    complaint = _complaint(request, pk)
    form = TransferForm(request.POST, user=request.user)

    def call(cleaned):
        return services.transfer_jurisdiction(
            complaint, cleaned["to_prefecture"], request.user, cleaned["reason"]
        )

    def done(moved):
        return _(
            "The complaint is handed to the bureau of %(prefecture)s; you keep a read-only trace."
        ) % {"prefecture": moved.prefecture.name}

    return _run(request, complaint, form, "transfers", call, done)


@login_required
@require_POST
def publish_penalty(request, pk):
    complaint = _complaint(request, pk)
    form = PublishForm(request.POST)

    def call(cleaned):
        return services.publish_penalty(
            complaint, request.user, published_on=cleaned["published_on"]
        )

    done = _("The penalty is recorded as published on the credit platform.")
    return _run(request, complaint, form, "credit", call, done)


@login_required
def decision(request, pk):
    """The penalty decision as the bureau issues it: the one place where a natural person's ID
    number is shown whole — to those handling the complaint only (anyone else: 404)."""
    complaint = _complaint(request, pk)
    if not services.may_handle(request.user, complaint):
        raise Http404
    push = get_object_or_404(
        CreditPush.objects.restrict(request.user).select_related("provision"), complaint=complaint
    )
    return render(request, "complaints/decision.html", {"complaint": complaint, "decision": push})


@login_required
@require_POST
def end_consultation(request, pk, expert):
    complaint = _complaint(request, pk)
    consulted = get_user_model().objects.filter(pk=expert).first()
    try:
        services.end_consultation(complaint, consulted, request.user)
    except ValidationError as error:
        show_errors(request, error)
    else:
        messages.success(
            request,
            _(
                "The consultation of %(expert)s has ended; the expert no longer reaches this "
                "complaint or its evidence."
            )
            % {"expert": consulted},
        )
    return _back(complaint, "investigation")


@login_required
def recuse(request, pk):
    """An expert consulted on the complaint declares a conflict of interest (回避)."""
    complaint = _complaint(request, pk)
    if not services.is_consulted_expert(request.user, complaint):
        raise PermissionDenied
    form = RecusalForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.declare_recusal(complaint, request.user, form.cleaned_data["reason"])
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(
                request,
                _("Your recusal is recorded; you are no longer consulted on this complaint."),
            )
            return redirect("complaints:list")
    return render(request, "complaints/recuse.html", {"object": complaint, "form": form})


@login_required
def evidence(request, pk):
    """Open an evidence file: only where the user may, and every opening is logged."""
    item = get_object_or_404(
        EvidenceFile.objects.restrict(request.user, "view").select_related("complaint"), pk=pk
    )
    if not services.may_open_evidence(request.user, item.complaint):
        raise Http404
    services.open_evidence(item, request.user, address=client_ip(request))
    return private_file(item.file, item.original_name, item.content_type)
