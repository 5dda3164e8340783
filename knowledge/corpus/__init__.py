"""Clause templates (YAML data); a package only so that wheels ship the files."""
