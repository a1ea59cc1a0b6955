from django.urls import path

from . import report_views, views

app_name = "projects"

urlpatterns = [
    path("", views.programme_list, name="programme_list"),
    path("programmes/<int:programme_id>/", views.programme_detail, name="programme_detail"),
    path(
        "programmes/<int:programme_id>/report.xlsx",
        report_views.programme_report_xlsx,
        name="programme_report_xlsx",
    ),
    path(
        "programmes/<int:programme_id>/report.pdf",
        report_views.programme_report_pdf,
        name="programme_report_pdf",
    ),
    path("new/", views.project_new, name="project_new"),
    path("mine/", views.unit_projects, name="unit_projects"),
    path("<int:project_id>/", views.project_detail, name="project_detail"),
    path("<int:project_id>/act/", views.project_step, name="project_act"),
    path("<int:project_id>/report/", views.progress_new, name="progress_report"),
    path("<int:project_id>/milestone/", views.milestone_finish, name="milestone_done"),
    path("<int:project_id>/letter/", views.letter_new, name="letter_sign"),
    path("<int:project_id>/letters/<int:letter_id>/scan", views.letter_scan, name="letter_scan"),
    path("<int:project_id>/replan/", views.replan, name="project_replan"),
    path("<int:project_id>/appeals/", views.appeals_link, name="appeal_link"),
    path("<int:project_id>/order/", views.order_new, name="order_issue"),
    path("<int:project_id>/ratings/", views.rating_comments, name="rating_comments"),
    path("<int:project_id>/reports/", views.progress_reports, name="progress_reports"),
    path("<int:project_id>/reports/photos/<int:photo_id>", views.report_photo, name="report_photo"),
    path("appeals/<int:appeal_id>/panel/", views.appeal_panel, name="appeal_panel"),
]
