"""Collectors, managers and teams, known by the subject of their bearer token."""
