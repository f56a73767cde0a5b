"""Running Lotse for real: backup and restore, key rotation, health and metrics.

Operations reads every domain only through its front door (`api.py`); it owns no tables.
"""
