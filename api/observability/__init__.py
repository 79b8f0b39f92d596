"""Prometheus metrics at /metrics and the readiness check at /api/ready (see README "Production")."""
