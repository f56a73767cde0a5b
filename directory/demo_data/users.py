"""Demo log-ins: one user per role, plus a second provider and case manager for scoping."""

from __future__ import annotations

from directory.demo_data.specs import DemoUserSpec

DEMO_PASSWORD = "lotse-demo"  # noqa: S105 - published demo password, shown by `lotse demo`

USERS: tuple[DemoUserSpec, ...] = (
    DemoUserSpec("admin", "admin@lotse.example", "Katrin Albers", "network_admin", "kim"),
    DemoUserSpec("case", "case@lotse.example", "Mehmet Yıldız", "case_manager",
                 "caritas-migration"),
    DemoUserSpec("provider", "provider@lotse.example", "Sabine Koch", "provider_staff",
                 "awo-integration"),
    DemoUserSpec("viewer", "viewer@lotse.example", "Jonas Weber", "viewer", "ehrenamtsagentur"),
    DemoUserSpec("provider2", "provider2@lotse.example", "Elena Petrova", "provider_staff",
                 "vhs"),
    DemoUserSpec("case2", "case2@lotse.example", "Fatima Haddad", "case_manager",
                 "diakonie-migration"),
)
