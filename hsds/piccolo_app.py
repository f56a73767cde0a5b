"""Piccolo app of the HSDS domain: the review list of imports."""

import os

from piccolo.conf.apps import AppConfig, table_finder

CURRENT_DIRECTORY = os.path.dirname(os.path.abspath(__file__))

APP_CONFIG = AppConfig(
    app_name="hsds",
    migrations_folder_path=os.path.join(CURRENT_DIRECTORY, "piccolo_migrations"),
    table_classes=table_finder(modules=["hsds.tables"], exclude_imported=True),
    migration_dependencies=["directory.piccolo_app"],
    commands=[],
)
