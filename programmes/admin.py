from django.contrib import admin

from .models import Programme


@admin.register(Programme)
class ProgrammeAdmin(admin.ModelAdmin):
    list_display = ["code", "name_fr", "name_nl", "min_age", "max_age", "is_active"]
    search_fields = ["code", "name_fr", "name_nl", "name_en"]
