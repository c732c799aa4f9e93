"""Demo organisation for ``manage.py seed_demo``: Banque Exemple, 2 regions, 4 branches, 20 staff."""

from __future__ import annotations

from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.db import transaction

from advocacy.org.models import Bank, Branch, ManagedRegion, Region, Role
from advocacy.org.policies import privileged_roles
from advocacy.org.privileges import bootstrap_grant
from advocacy.org.services import StaffData, upsert_staff

DEMO_PASSWORD = "relais-demo"  # noqa: S105 - documented demo credential, demo data only
REGIONS = [("IDF", "Île-de-France"), ("ARA", "Auvergne-Rhône-Alpes")]
BRANCHES = [
    ("PAR01", "Paris Opéra", "Paris", "IDF"),
    ("VER01", "Versailles Notre-Dame", "Versailles", "IDF"),
    ("LYO01", "Lyon Bellecour", "Lyon", "ARA"),
    ("GRE01", "Grenoble Victor-Hugo", "Grenoble", "ARA"),
]
# (email local part, employee id, first, last, branch, roles, language)
STAFF = [
    ("adviser", "E1001", "Camille", "Martin", "PAR01", {Role.ADVISER}, "fr"),
    ("adviser2", "E1002", "Hugo", "Bernard", "LYO01", {Role.ADVISER}, "fr"),
    ("manager", "E1003", "Claire", "Dubois", "PAR01", {Role.BRANCH_MANAGER}, "fr"),
    ("regional", "E1004", "Marc", "Leroy", "LYO01", {Role.REGIONAL_MANAGER}, "fr"),
    ("compliance", "E1005", "Sophie", "Moreau", None, {Role.COMPLIANCE}, "fr"),
    ("compliance2", "E1006", "James", "Wilson", None, {Role.COMPLIANCE}, "en"),
    ("marketing", "E1007", "Léa", "Fournier", None, {Role.MARKETING}, "fr"),
    ("hr", "E1008", "Nadia", "Benali", None, {Role.HR}, "fr"),
    ("admin", "E1009", "Thomas", "Petit", None, {Role.ADMIN}, "en"),
    # A second administrator: privileged grants need one administrator to ask and another to approve.
    ("admin2", "E1021", "Aïcha", "Diallo", None, {Role.ADMIN}, "fr"),
    ("julie.girard", "E1010", "Julie", "Girard", "PAR01", {Role.ADVISER}, "fr"),
    ("antoine.roux", "E1011", "Antoine", "Roux", "PAR01", {Role.ADVISER}, "fr"),
    ("ines.faure", "E1012", "Inès", "Faure", "VER01", {Role.ADVISER}, "fr"),
    ("lucas.mercier", "E1013", "Lucas", "Mercier", "VER01", {Role.ADVISER}, "fr"),
    ("emma.blanc", "E1014", "Emma", "Blanc", "VER01", {Role.ADVISER, Role.BRANCH_MANAGER}, "fr"),
    ("nathan.garnier", "E1015", "Nathan", "Garnier", "LYO01", {Role.ADVISER}, "fr"),
    ("chloe.lambert", "E1016", "Chloé", "Lambert", "LYO01", {Role.ADVISER}, "en"),
    ("louis.fontaine", "E1017", "Louis", "Fontaine", "GRE01", {Role.ADVISER}, "fr"),
    ("manon.chevalier", "E1018", "Manon", "Chevalier", "GRE01", {Role.ADVISER, Role.BRANCH_MANAGER}, "fr"),
    ("paul.robin", "E1019", "Paul", "Robin", "GRE01", {Role.ADVISER}, "fr"),
    ("sarah.morel", "E1020", "Sarah", "Morel", "LYO01", {Role.ADVISER}, "fr"),
]
DOMAIN = "demo.relais.test"


@transaction.atomic
def seed_organisation() -> dict[str, str]:
    """Create or refresh the demo organisation. Returns {email: TOTP secret} for MFA-enrolled users."""
    bank, _ = Bank.objects.get_or_create(name="Banque Exemple")
    regions = {
        code: Region.objects.update_or_create(code=code, defaults={"bank": bank, "name": name})[0]
        for code, name in REGIONS
    }
    branches = {
        code: Branch.objects.update_or_create(
            code=code, defaults={"region": regions[region], "name": name, "city": city}
        )[0]
        for code, name, city, region in BRANCHES
    }
    secrets: dict[str, str] = {}
    for local, employee_id, first, last, branch, roles, language in STAFF:
        email = f"{local}@{DOMAIN}"
        privileged = roles & privileged_roles()
        profile, _ = upsert_staff(
            data=StaffData(
                employee_id=employee_id,
                email=email,
                first_name=first,
                last_name=last,
                branch=branches[branch] if branch else None,
                roles=frozenset(roles - privileged),
                language=language,
            )
        )
        # The demo's administrators have nobody to approve them (nor the compliance officers): demo data
        # takes the command line's bootstrap path, archived as such ("via": "bootstrap").
        for role in sorted(privileged):
            bootstrap_grant(profile=profile, role=role, process="seed_demo")
        user = profile.user
        user.is_active = True
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password", "is_active"])
        if Role.REGIONAL_MANAGER in roles:
            ManagedRegion.objects.get_or_create(profile=profile, region=branches[branch].region)
        if roles & {Role.COMPLIANCE, Role.ADMIN}:
            secrets[email] = _ensure_totp(user)
    return secrets


def _ensure_totp(user) -> str:
    existing = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).first()
    if existing is not None:
        return _secret_of(existing)
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    RecoveryCodes.activate(user)
    return secret


def _secret_of(authenticator: Authenticator) -> str:
    from allauth.mfa.adapter import get_adapter

    return get_adapter().decrypt(authenticator.data["secret"])
