"""Piccolo app of the clients domain."""

import os

from piccolo.conf.apps import AppConfig, table_finder

CURRENT_DIRECTORY = os.path.dirname(os.path.abspath(__file__))

APP_CONFIG = AppConfig(
    app_name="clients",
    migrations_folder_path=os.path.join(CURRENT_DIRECTORY, "piccolo_migrations"),
    table_classes=table_finder(modules=["clients.tables"], exclude_imported=True),
    # The referrals app's first migration created this app's tables (they moved here later),
    # so on a fresh database these migrations must run after it to find them.
    migration_dependencies=["directory.piccolo_app", "referrals.piccolo_app"],
    commands=[],
)
