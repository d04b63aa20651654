import logging

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tsprotect.core import scoping
from tsprotect.core.contributions import registry
from tsprotect.core.views import (
    ScopedCreateView,
    ScopedDetailView,
    ScopedListView,
    ScopedUpdateView,
    history_entries,
    private_file,
    show_errors,
)

from . import exporting, importing, services
from .filters import EnterpriseFilter
from .forms import (
    AcknowledgeForm,
    DocumentForm,
    EnterpriseForm,
    ImportForm,
    ServiceEventForm,
    SubmissionForm,
)
from .models import (
    DirectorySubmission,
    Enterprise,
    EnterpriseDocument,
    ImportBatch,
    ServiceEvent,
)

logger = logging.getLogger(__name__)
LIST_RELATED = ("prefecture", "county", "park")


class EnterpriseListView(ScopedListView):
    model = Enterprise
    related = LIST_RELATED
    filterset_class = EnterpriseFilter
    ordering_fields = ("name", "uscc", "prefecture", "county", "created_at", "last_confirmed_on")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["can_add"] = scoping.can(self.request.user, Enterprise, "add")
        context["export_query"] = self.request.GET.urlencode()
        return context


class EnterpriseDetailView(ScopedDetailView):
    model = Enterprise
    related = ("prefecture", "county", "park", "ftz_area", "created_by")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        enterprise = self.object
        context["history"] = history_entries(enterprise)
        context["documents"] = (
            EnterpriseDocument.objects.restrict(user, "view")
            .filter(enterprise=enterprise)
            .select_related("uploaded_by")
        )
        context["events"] = (
            ServiceEvent.objects.restrict(user, "view")
            .filter(enterprise=enterprise)
            .select_related("recorded_by")
        )
        context["can_change"] = (
            Enterprise.objects.restrict(user, "change").filter(pk=enterprise.pk).exists()
        )
        # The other apps' panels (demonstrations, complaints, the checklist…), each scoped by
        # its app; the directory knows none of them.
        context["panels"] = registry.record_panels(self.request, enterprise)
        if context["can_change"]:
            context["document_form"] = kwargs.get("document_form") or DocumentForm()
            context["event_form"] = kwargs.get("event_form") or ServiceEventForm()
        context["division_warning"] = enterprise.division_warning()
        return context


class EnterpriseCreateView(ScopedCreateView):
    model = Enterprise
    form_class = EnterpriseForm

    def form_valid(self, form):
        form.instance.created_by = self.request.user
        response = super().form_valid(form)
        messages.success(self.request, _("The record has been filed."))
        warn_division(self.request, self.object)
        return response


class EnterpriseUpdateView(ScopedUpdateView):
    model = Enterprise
    form_class = EnterpriseForm

    def form_valid(self, form):
        if not form.has_changed():
            messages.info(self.request, _("Nothing was changed."))
            return redirect(self.object)
        response = super().form_valid(form)
        messages.success(self.request, _("The record has been updated."))
        warn_division(self.request, self.object)
        return response


def warn_division(request, enterprise):
    warning = enterprise.division_warning()
    if warning:
        messages.warning(request, warning)


def _editable_enterprise(request, pk):
    return get_object_or_404(Enterprise.objects.restrict(request.user, "change"), pk=pk)


@login_required
@require_POST
def upload_document(request, pk):
    enterprise = _editable_enterprise(request, pk)
    form = DocumentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.add_document(
                enterprise,
                form.cleaned_data["file"],
                form.checked,
                title=form.cleaned_data["title"],
                kind=form.cleaned_data["kind"],
                user=request.user,
            )
        except ValidationError as error:  # the storage could not take the file
            form.add_error(None, error)
        else:
            messages.success(request, _("The document has been added to the dossier."))
            return redirect(reverse("enterprises:detail", args=[pk]) + "#dossier")
    return _rerender_detail(request, pk, document_form=form)


@login_required
@require_POST
def add_service_event(request, pk):
    enterprise = _editable_enterprise(request, pk)
    form = ServiceEventForm(request.POST)
    if form.is_valid():
        try:
            services.record_service_event(enterprise, user=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The service has been recorded."))
            return redirect(reverse("enterprises:detail", args=[pk]) + "#services")
    return _rerender_detail(request, pk, event_form=form)


def _rerender_detail(request, pk, **forms):
    view = EnterpriseDetailView()
    view.setup(request, pk=pk)
    view.object = view.get_object()
    return render(
        request,
        "enterprises/enterprise_detail.html",
        view.get_context_data(object=view.object, **forms),
        status=400,
    )


@login_required
def download_document(request, pk):
    document = get_object_or_404(EnterpriseDocument.objects.restrict(request.user, "view"), pk=pk)
    logger.info("dossier document %s downloaded by %s", document.pk, request.user.username)
    return private_file(document.file, document.original_name, document.content_type)


@login_required
def export(request, fmt):
    if fmt not in ("csv", "xlsx"):
        raise Http404
    if not scoping.can(request.user, Enterprise, "view"):
        raise PermissionDenied
    queryset = Enterprise.objects.restrict(request.user, "view").select_related(*LIST_RELATED)
    filterset = EnterpriseFilter(request.GET or None, queryset, request=request)
    queryset = filterset.qs if filterset.is_bound else queryset
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    if fmt == "csv":
        response = StreamingHttpResponse(
            exporting.export_csv(queryset), content_type="text/csv; charset=utf-8"
        )
        filename = f"enterprises-{stamp}.csv"
    else:
        response = HttpResponse(
            exporting.export_xlsx(queryset),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        filename = f"enterprises-{stamp}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
def import_template(request):
    if not scoping.can(request.user, Enterprise, "add"):
        raise PermissionDenied
    response = HttpResponse(
        exporting.template_xlsx(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = 'attachment; filename="enterprise-import-template.xlsx"'
    return response


@login_required
def import_upload(request):
    if not scoping.can(request.user, Enterprise, "add"):
        raise PermissionDenied
    form = ImportForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        uploaded = form.cleaned_data["file"]
        prefecture = form.cleaned_data["prefecture"]
        try:
            preview = importing.prepare_import(uploaded, user=request.user, prefecture=prefecture)
        except importing.SpreadsheetError as error:
            form.add_error("file", str(error))
        else:
            try:
                batch = importing.store_upload(uploaded, preview, user=request.user)
            except ValidationError as error:  # the storage could not take the file
                form.add_error("file", error)
            else:
                return redirect("enterprises:import_preview", pk=batch.pk)
    return render(request, "enterprises/import_upload.html", {"form": form})


def _own_batch(request, pk):
    batch = get_object_or_404(ImportBatch.objects.restrict(request.user, "change"), pk=pk)
    if batch.uploaded_by_id != request.user.pk:
        raise Http404
    return batch


@login_required
def import_preview(request, pk):
    batch = _own_batch(request, pk)
    return render(request, "enterprises/import_preview.html", {"batch": batch})


@login_required
@require_POST
def import_confirm(request, pk):
    batch = _own_batch(request, pk)
    try:
        result = importing.confirm_batch(batch, user=request.user)
    except ValidationError as error:
        show_errors(request, error)
        return redirect("enterprises:import_preview", pk=batch.pk)
    except importing.ImportRejected:
        messages.error(request, _("The data changed since the preview; nothing was imported."))
        return redirect("enterprises:import_preview", pk=batch.pk)
    messages.success(
        request,
        _("Imported: %(created)d new records, %(updated)d updated.")
        % {"created": result.created, "updated": result.updated},
    )
    return redirect("enterprises:list")


@login_required
def my_enterprise(request):
    """An enterprise user's own record; several enterprises are listed in the directory."""
    ids = scoping.enterprise_ids(request.user)
    if len(ids) == 1:
        return redirect("enterprises:detail", pk=next(iter(ids)))
    if ids:
        return redirect("enterprises:list")
    raise Http404


class SubmissionListView(ScopedListView):
    """The province's inbox, or a prefecture's own submissions with its pending changes."""

    model = DirectorySubmission
    related = ("prefecture", "submitted_by", "acknowledged_by")
    template_name = "enterprises/submission_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        prefectures = scoping.prefectures_for(user, DirectorySubmission, "add")
        if not scoping.is_province_wide(user):
            context["pending"] = [
                {
                    "prefecture": prefecture,
                    "changes": services.pending_changes(
                        prefecture,
                        since=getattr(services.last_submission(prefecture), "period_end", None),
                    ),
                }
                for prefecture in prefectures
            ]
            context["submission_form"] = SubmissionForm()
        else:
            context["inbox"] = True
        return context


class SubmissionDetailView(ScopedDetailView):
    model = DirectorySubmission
    related = ("prefecture", "submitted_by", "acknowledged_by")
    template_name = "enterprises/submission_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context["can_acknowledge"] = (
            self.object.status == DirectorySubmission.Status.SUBMITTED
            and scoping.is_province_wide(user)
        )
        context["acknowledge_form"] = AcknowledgeForm()
        context["changes"] = services.describe_changes(self.object.changes)
        return context


@login_required
@require_POST
def submit_changes(request, code):
    if scoping.is_province_wide(request.user):
        raise PermissionDenied  # submitting is the prefecture's own duty
    prefecture = get_object_or_404(
        scoping.prefectures_for(request.user, DirectorySubmission, "add"), pk=code
    )
    form = SubmissionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Please check the note."))
        return redirect("enterprises:submissions")
    with transaction.atomic():
        try:
            submission = services.submit_directory_changes(
                prefecture, user=request.user, note=form.cleaned_data["note"]
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect("enterprises:submissions")
    messages.success(request, _("The directory changes have been sent to the provincial bureau."))
    return redirect(submission)


@login_required
@require_POST
def acknowledge(request, pk):
    submission = get_object_or_404(
        DirectorySubmission.objects.restrict(request.user, "view"), pk=pk
    )
    form = AcknowledgeForm(request.POST)
    form.is_valid()
    try:
        services.acknowledge_submission(
            submission, user=request.user, note=form.cleaned_data.get("note", "")
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The submission has been acknowledged."))
    return redirect(submission)
