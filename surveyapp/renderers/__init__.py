"""Renderers: the report model (plain data) in, bytes or text out (PDF, XLSX, CSV, HTML).

Nothing here opens a database session or reads a Flask request; the dashboard
service (``surveyapp.dashboard.documents``) gathers what a document needs.
"""
