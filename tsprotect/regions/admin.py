from django.contrib import admin

from tsprotect.core.admin import ScopedHistoryAdmin

from .models import CalendarOverride, County, FtzArea, HostOrganisation, Prefecture


@admin.register(Prefecture)
class PrefectureAdmin(admin.ModelAdmin):
    list_display = ["code", "name"]
    search_fields = ["code", "name"]


@admin.register(County)
class CountyAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "prefecture", "is_functional_zone"]
    list_filter = ["prefecture", "is_functional_zone"]
    search_fields = ["code", "name"]


@admin.register(FtzArea)
class FtzAreaAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "prefecture"]


@admin.register(HostOrganisation)
class HostOrganisationAdmin(ScopedHistoryAdmin):
    list_display = ["name", "kind", "prefecture", "county", "ftz_area", "active"]
    list_filter = ["kind", "prefecture", "ftz_area", "active"]
    search_fields = ["name"]
    autocomplete_fields = ["county"]


@admin.register(CalendarOverride)
class CalendarOverrideAdmin(ScopedHistoryAdmin):
    list_display = ["date", "kind", "name"]
    list_filter = ["kind"]
    date_hierarchy = "date"
