"""Staff dashboard and report downloads (PDF, XLSX, CSV, JSON) for inspectors and agencies."""
