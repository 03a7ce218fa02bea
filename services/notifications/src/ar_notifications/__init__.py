"""Notifications service: templates, e-mail over SMTP, signed webhooks and the delivery log."""
