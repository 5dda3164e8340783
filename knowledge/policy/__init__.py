"""Policy numbers (parameters.yaml, service_terms.yaml); a package only so that wheels ship the files."""
