"""Templates: Jinja2 in a sandbox, per locale with fallback, versioned, previewable."""
