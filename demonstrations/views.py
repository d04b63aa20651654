import logging

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Prefetch, Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from enterprises.models import Enterprise
from tsprotect.accounts.models import Role
from tsprotect.core import scoping
from tsprotect.core.forms import RecusalForm, add_errors
from tsprotect.core.views import (
    ScopedDetailView,
    ScopedListView,
    add_attachment_from,
    private_file,
    show_errors,
)

from . import certificates, services
from .filters import ApplicationFilter
from .forms import (
    AcceptanceDocumentForm,
    AcceptanceForm,
    ApplicationForm,
    AssignExpertsForm,
    AttachmentForm,
    BatchForm,
    FollowUpForm,
    FtzSelectionForm,
    FundingForm,
    PilotEntryForm,
    ReviewForm,
    TransitionForm,
)
from .models import (
    AcceptanceDocument,
    AcceptanceEvaluation,
    ApplicationAttachment,
    Batch,
    DemonstrationApplication,
    ExpertAssignment,
)
from .workflow import (
    ACCEPTANCE_BASIS,
    ASSIGNABLE_STATES,
    BASE_TARGET_BASIS,
    BUREAU_TRACKS,
    ENTERPRISE_TRACKS,
    FTZ_SELECTION_BASIS,
    FTZ_SELECTION_STATES,
    PILOT_STATES,
    RUBRIC,
    TRANSITIONS_BY_ACTION,
    AcceptanceResult,
    State,
    Track,
)

logger = logging.getLogger(__name__)
LIST_RELATED = ("prefecture", "batch", "enterprise", "host_organisation")


def _scoped(user, action="view"):
    return DemonstrationApplication.objects.restrict(user, action)


def tracks_for(user):
    """The tracks ``user`` may start an application on."""
    tracks = []
    if services.applicant_enterprises(user).exists():
        tracks += list(ENTERPRISE_TRACKS)
    if user.role == Role.PREFECTURE_OFFICER and user.prefecture_id:
        tracks += list(BUREAU_TRACKS)
    elif services.is_province(user):
        # A base may bring together the sites of several prefectures (§8).
        tracks.append(Track.BASE)
    return tracks


class ApplicationListView(ScopedListView):
    model = DemonstrationApplication
    related = LIST_RELATED
    filterset_class = ApplicationFilter
    ordering_fields = ("name", "updated_at", "state", "track")

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and request.user.role == Role.EXPERT:
            # An expert's list is their assignments, empty until one is made.
            return super(ScopedListView, self).dispatch(request, *args, **kwargs)
        return super().dispatch(request, *args, **kwargs)

    def get_queryset(self):
        queryset = super().get_queryset()
        user = self.request.user
        if user.role == Role.EXPERT:
            queryset = queryset.prefetch_related(
                Prefetch(
                    "assignments",
                    queryset=ExpertAssignment.objects.filter(expert=user),
                    to_attr="my_assignments",
                )
            )
        return queryset

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        scoped = _scoped(user)
        counts = scoped.aggregate(
            **{state.value: Count("pk", filter=Q(state=state)) for state in State}
        )
        context["state_counts"] = [
            (State(value), count) for value, count in counts.items() if count
        ]
        context["tracks"] = tracks_for(user)
        context["is_province"] = services.is_province(user)
        context["is_expert"] = user.role == Role.EXPERT
        if not context["is_expert"]:
            context["base_progress"] = services.base_progress(user)
            context["base_target_basis"] = BASE_TARGET_BASIS
        return context


class ApplicationDetailView(ScopedDetailView):
    model = DemonstrationApplication
    related = ("prefecture", "county", "ftz_area", "batch", "enterprise", "host_organisation")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        application = self.object
        context["transitions"] = [
            (t, TransitionForm(prefix=t.action))
            for t in services.available_transitions(application, user)
        ]
        context["attachments"] = ApplicationAttachment.objects.restrict(user).filter(
            application=application
        )
        events = application.events.select_related("actor")
        bureau = services.is_bureau_of(user, application)
        context["is_province"] = services.is_province(user)
        if not (bureau or context["is_province"]):
            # Reviewers stay anonymous to the applicant and to each other.
            events = events.exclude(action__in=services.REVIEWER_EVENTS)
        context["events"] = events
        context["may_assign"] = context["is_province"] and application.state in ASSIGNABLE_STATES
        context["enterprise_in_directory"] = bool(
            application.enterprise_id
            and Enterprise.objects.restrict(user)
            .filter(pk=application.enterprise_id, prefecture_id__isnull=False)
            .exclude(pk__in=scoping.enterprise_ids(user))
            .exists()
        )
        context["assignments"] = (
            ExpertAssignment.objects.restrict(user)
            .filter(application=application)
            .select_related("expert")
        )
        context["may_edit"] = application.is_editable and services.acts_for_applicant(
            user, application
        )
        if context["may_edit"]:
            context["attachment_form"] = AttachmentForm()
        context["summary"] = services.review_summary(application)
        context["access_grants"] = (
            services.access_history(application) if context["is_province"] or bureau else None
        )
        context["my_assignment"] = next(
            (a for a in context["assignments"] if a.expert_id == user.pk), None
        )
        context["rubric"] = RUBRIC
        designated = application.state == State.DESIGNATED
        context["may_follow_up"] = designated and (context["is_province"] or bureau)
        context["may_fund"] = designated and context["is_province"]
        if context["may_follow_up"]:
            context["follow_up_form"] = FollowUpForm(initial={"happened_on": timezone.localdate()})
        if context["may_fund"]:
            context["funding_form"] = FundingForm(initial={"year": timezone.localdate().year})
        context["follow_ups"] = application.follow_ups.select_related("recorded_by")
        context["funding"] = application.funding.all()
        context["members"] = application.member_enterprises.all()
        context["sites"] = application.sites.select_related("prefecture")
        context["concerned_prefectures"] = application.concerned_prefectures.all()
        if application.track == Track.FTZ_ENTERPRISE:
            self._ftz_context(context, application, user, bureau)
        return context

    def _ftz_context(self, context, application, user, bureau):
        guides = context["is_province"] or bureau
        context["ftz_selection_basis"] = FTZ_SELECTION_BASIS
        context["acceptance_basis"] = ACCEPTANCE_BASIS
        if guides and application.state in FTZ_SELECTION_STATES:
            context["ftz_selection_form"] = FtzSelectionForm(
                initial={
                    "basis": application.ftz_selection,
                    "reason": application.ftz_selection_reason,
                }
            )
        context["pilot_entries"] = application.pilot_entries.select_related("recorded_by")
        if guides and application.state in PILOT_STATES:
            context["pilot_entry_form"] = PilotEntryForm(
                initial={"happened_on": timezone.localdate()}
            )
        evaluations = list(
            AcceptanceEvaluation.objects.restrict(user)
            .filter(application=application)
            .select_related("recorded_by")
            .prefetch_related("parties", "findings", "documents")
        )
        context["evaluations"] = evaluations
        # The names of the people who evaluated are for the bureaus, as the reviewers' are.
        context["show_party_names"] = guides
        latest = evaluations[-1] if evaluations else None
        context["may_record_acceptance"] = (
            context["is_province"]
            and application.state == State.ACCEPTANCE
            and (latest is None or latest.result != AcceptanceResult.PASS)
        )
        if context["is_province"]:
            for evaluation in evaluations:
                # One upload form per evaluation, each with ids of its own.
                evaluation.document_form = AcceptanceDocumentForm(
                    prefix=document_form_prefix(evaluation)
                )


@login_required
def choose_track(request):
    tracks = tracks_for(request.user)
    if not tracks:
        raise PermissionDenied
    batches = {
        b.track: b
        for b in Batch.objects.filter(submission_deadline__gte=timezone.localdate()).order_by(
            "-opens_on"
        )
    }
    choices = [(Track(t), batches.get(t)) for t in tracks]
    return render(request, "demonstrations/choose_track.html", {"choices": choices})


@login_required
def create(request, track):
    if track not in Track.values:
        raise Http404
    if track not in tracks_for(request.user):
        raise PermissionDenied
    application = DemonstrationApplication(track=track)
    form = ApplicationForm(
        request.POST or None, instance=application, user=request.user, track=track
    )
    if request.method == "POST" and form.is_valid():
        try:
            application = form.save()
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(
                request, _("The draft is saved. Attach the supporting documents, then submit.")
            )
            return redirect(application)
    return render(
        request,
        "demonstrations/application_form.html",
        {"form": form, "track": Track(track), "object": None},
    )


@login_required
def update(request, pk):
    application = get_object_or_404(_scoped(request.user, "change"), pk=pk)
    if not (application.is_editable and services.acts_for_applicant(request.user, application)):
        messages.error(request, _("The materials can be changed only while the draft is yours."))
        return redirect(application)
    form = ApplicationForm(
        request.POST or None, instance=application, user=request.user, track=application.track
    )
    if request.method == "POST" and form.is_valid():
        try:
            form.save()
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("The materials are saved."))
            return redirect(application)
    return render(
        request,
        "demonstrations/application_form.html",
        {"form": form, "track": Track(application.track), "object": application},
    )


@login_required
@require_POST
def upload_attachment(request, pk):
    application = get_object_or_404(_scoped(request.user), pk=pk)
    form = AttachmentForm(request.POST, request.FILES)
    add_attachment_from(request, form, services.add_attachment, application)
    return redirect(application)


@login_required
def download_attachment(request, pk):
    attachment = get_object_or_404(ApplicationAttachment.objects.restrict(request.user), pk=pk)
    logger.info("application attachment %s downloaded by %s", attachment.pk, request.user)
    return private_file(attachment.file, attachment.original_name, attachment.content_type)


@login_required
@require_POST
def act(request, pk, action):
    application = get_object_or_404(_scoped(request.user), pk=pk)
    if action not in TRANSITIONS_BY_ACTION:
        raise Http404
    form = TransitionForm(request.POST, prefix=action)
    form.is_valid()
    try:
        application = services.transition(
            application, action, request.user, form.cleaned_data.get("note", "")
        )
    except ValidationError as error:
        show_errors(request, error)
    else:
        messages.success(
            request,
            _("Done: %(action)s. The application is now “%(state)s”.")
            % {
                "action": TRANSITIONS_BY_ACTION[action].label,
                "state": application.get_state_display(),
            },
        )
    return redirect(application)


@login_required
def assign_experts(request, pk):
    if not services.is_province(request.user):
        raise PermissionDenied
    application = get_object_or_404(_scoped(request.user), pk=pk)
    form = AssignExpertsForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.assign_experts(application, list(form.cleaned_data["experts"]), request.user)
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(
                request, _("The experts are assigned and can now see the application.")
            )
            return redirect(application)
    assignments = application.assignments.select_related("expert", "expert__expert_profile")
    conflicts = {
        expert.pk: services.conflict_of_interest(expert, application)
        for expert in form.fields["experts"].queryset
    }
    return render(
        request,
        "demonstrations/assign_experts.html",
        {
            "object": application,
            "form": form,
            "assignments": assignments,
            "conflicts": {pk: reason for pk, reason in conflicts.items() if reason},
        },
    )


@login_required
@require_POST
def unassign_expert(request, pk):
    if not services.is_province(request.user):
        raise PermissionDenied
    assignment = get_object_or_404(ExpertAssignment.objects.restrict(request.user), pk=pk)
    try:
        services.unassign_expert(assignment, request.user)
    except ValidationError as error:
        show_errors(request, error)
    else:
        messages.success(request, _("The expert is taken off the panel."))
    return redirect("demonstrations:assign_experts", pk=assignment.application_id)


@login_required
def review(request, pk):
    application = get_object_or_404(_scoped(request.user), pk=pk)
    assignment = get_object_or_404(
        ExpertAssignment.objects.restrict(request.user),
        application=application,
        expert=request.user,
    )
    form = ReviewForm(request.POST or None)
    if request.method == "POST" and not assignment.is_scored and form.is_valid():
        try:
            services.submit_review(
                assignment, request.user, form.scores(), form.cleaned_data["comment"]
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("Your review is submitted. Thank you."))
            return redirect(application)
    elif request.method == "POST" and assignment.is_scored:
        messages.error(request, _("You have already given your review of this application."))
        return redirect(application)
    scored = [(criterion, assignment.scores.get(criterion.key)) for criterion in RUBRIC]
    return render(
        request,
        "demonstrations/review.html",
        {"object": application, "form": form, "assignment": assignment, "scored": scored},
    )


@login_required
def recuse(request, pk):
    """The assigned expert declares a conflict of interest and leaves the panel (回避)."""
    application = get_object_or_404(_scoped(request.user), pk=pk)
    assignment = get_object_or_404(
        ExpertAssignment.objects.restrict(request.user),
        application=application,
        expert=request.user,
    )
    form = RecusalForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.declare_recusal(assignment, request.user, form.cleaned_data["reason"])
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(
                request,
                _("Your recusal is recorded; the application is no longer assigned to you."),
            )
            return redirect("demonstrations:list")
    return render(
        request,
        "demonstrations/recuse.html",
        {"object": application, "form": form, "assignment": assignment},
    )


@login_required
def decision(request, pk):
    """The provincial decision page: every expert's scores side by side, then the decision."""
    if not services.is_province(request.user):
        raise PermissionDenied
    application = get_object_or_404(_scoped(request.user), pk=pk)
    assignments = list(application.assignments.select_related("expert", "expert__expert_profile"))
    rows = [(criterion, [a.scores.get(criterion.key) for a in assignments]) for criterion in RUBRIC]
    transitions = [
        (t, TransitionForm(prefix=t.action))
        for t in services.available_transitions(application, request.user)
        if t.action in ("approve", "reject")
    ]
    return render(
        request,
        "demonstrations/decision.html",
        {
            "object": application,
            "assignments": assignments,
            "rows": rows,
            "summary": services.review_summary(application),
            "transitions": transitions,
        },
    )


def _record_for(request, pk, form_class, record, done):
    """A follow-up or funding form posted from the application page, recorded by its service."""
    application = get_object_or_404(_scoped(request.user), pk=pk)
    form = form_class(request.POST)
    if form.is_valid():
        try:
            record(application, request.user, **form.cleaned_data)
        except ValidationError as error:
            show_errors(request, error)
        else:
            messages.success(request, done)
    else:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
    return redirect(application)


@login_required
@require_POST
def add_follow_up(request, pk):
    done = _("The follow-up service is recorded.")
    return _record_for(request, pk, FollowUpForm, services.record_follow_up, done)


@login_required
@require_POST
def add_funding(request, pk):
    done = _("The special funding is recorded.")
    return _record_for(request, pk, FundingForm, services.record_funding, done)


@login_required
@require_POST
def ftz_selection(request, pk):
    done = _("The selection basis is recorded.")
    return _record_for(request, pk, FtzSelectionForm, services.record_ftz_selection, done)


@login_required
@require_POST
def add_pilot_entry(request, pk):
    done = _("The pilot record entry is saved.")
    return _record_for(request, pk, PilotEntryForm, services.record_pilot_entry, done)


@login_required
def record_acceptance(request, pk):
    """The provincial bureau records an acceptance evaluation of an FTZ pilot (§5)."""
    _require_province(request.user)
    application = get_object_or_404(_scoped(request.user).filter(track=Track.FTZ_ENTERPRISE), pk=pk)
    form = AcceptanceForm(
        request.POST or None,
        request.FILES or None,
        initial={"evaluated_on": timezone.localdate()},
    )
    if request.method == "POST" and form.is_valid():
        try:
            evaluation = services.record_acceptance(
                application, request.user, **form.record_kwargs()
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(
                request,
                _("The acceptance evaluation is recorded: %(result)s.")
                % {"result": evaluation.get_result_display()},
            )
            return redirect(f"{application.get_absolute_url()}#acceptance")
    return render(
        request,
        "demonstrations/acceptance_form.html",
        {"object": application, "form": form, "acceptance_basis": ACCEPTANCE_BASIS},
    )


def document_form_prefix(evaluation):
    return f"evaluation-{evaluation.pk}"


@login_required
@require_POST
def upload_acceptance_document(request, pk):
    evaluation = get_object_or_404(AcceptanceEvaluation.objects.restrict(request.user), pk=pk)
    form = AcceptanceDocumentForm(
        request.POST, request.FILES, prefix=document_form_prefix(evaluation)
    )
    add_attachment_from(request, form, services.add_acceptance_document, evaluation)
    return redirect(f"{evaluation.application.get_absolute_url()}#acceptance")


@login_required
def download_acceptance_document(request, pk):
    document = get_object_or_404(AcceptanceDocument.objects.restrict(request.user), pk=pk)
    logger.info("acceptance document %s downloaded by %s", document.pk, request.user)
    return private_file(document.file, document.original_name, document.content_type)


@login_required
@require_POST
def national_candidate(request, pk):
    application = get_object_or_404(_scoped(request.user), pk=pk)
    try:
        services.mark_national_candidate(
            application, request.user, candidate=request.POST.get("candidate") == "1"
        )
    except ValidationError as error:
        show_errors(request, error)
    return redirect(application)


@login_required
def certificate(request, pk):
    application = get_object_or_404(
        _scoped(request.user).filter(certificate_number__isnull=False), pk=pk
    )
    pdf = certificates.render_certificate(application, request)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = (
        f'inline; filename="certificate-{application.certificate_number}.pdf"'
    )
    return response


# Batches and the expert pool: provincial pages ------------------------------------------------


def _require_province(user):
    if not services.is_province(user):
        raise PermissionDenied


@login_required
def batch_list(request):
    user = request.user
    if not (services.is_province(user) or scoping.can(user, DemonstrationApplication, "view")):
        raise PermissionDenied
    # The counts, like every count, go through the scope: an officer counts its prefecture's.
    submitted = _scoped(user).exclude(state=State.DRAFT).values("pk")
    batches = Batch.objects.annotate(
        application_count=Count("applications", filter=Q(applications__in=submitted))
    )
    return render(
        request,
        "demonstrations/batch_list.html",
        {"batches": batches, "may_manage": services.is_province(user)},
    )


@login_required
def batch_edit(request, pk=None):
    _require_province(request.user)
    batch = get_object_or_404(Batch, pk=pk) if pk else None
    form = BatchForm(request.POST or None, instance=batch)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("The batch is saved."))
        return redirect("demonstrations:batches")
    return render(request, "demonstrations/batch_form.html", {"form": form, "object": batch})


@login_required
def expert_pool(request):
    _require_province(request.user)
    return render(request, "demonstrations/expert_pool.html", {"experts": services.expert_pool()})
