"""What a contact reads about each check's finding: one sentence per outcome the check can reach,
saying what was found (never a title with an outcome word beside it, which read "Pågående
driftstörning: Stämmer" for a check that found no disruption). Swedish source strings for Babel.

`fail` says what is wrong, `pass` what holds, `skip` that it could not be checked and why, `advice`
what the person was advised. tests/unit/test_sentences.py demands a sentence for every outcome each
catalogue check can reach, and that no two outcomes of a check share one.
"""

from __future__ import annotations

from .i18n import N_

SENTENCES: dict[str, dict[str, str]] = {
    "notice.active_disruption": {
        "pass": N_("Det finns ingen pågående driftstörning för tjänsten."),
        "advice": N_("Det pågår en driftstörning för tjänsten. Personen fick se meddelandet om den."),
    },
    "school.account_management_external": {
        "pass": N_("Skolans konton hanteras här i portalen, inte i huvudmannens eget system."),
        "fail": N_("Skolans konton hanteras i huvudmannens eget system. Portalen kan inte se eller ändra dem."),
    },
    "school.guardian_login_enabled": {
        "pass": N_("Skolan tillåter inloggning för vårdnadshavare."),
        "fail": N_("Skolan har stängt av inloggningen för vårdnadshavare."),
    },
    "school.bankid_login_enabled": {
        "pass": N_("Skolan tillåter inloggning med BankID."),
        "fail": N_("Skolan har stängt av inloggningen med BankID."),
    },
    "eservice.agreement": {
        "pass": N_("Kommunen har avtal om e-tjänsten."),
        "fail": N_("Kommunen har inget avtal om e-tjänsten."),
    },
    "eservice.admin_appointed": {
        "pass": N_("Kommunen har en utsedd administratör för e-tjänsten."),
        "fail": N_("Kommunen har ingen utsedd administratör för e-tjänsten."),
    },
    "account.exists": {
        "pass": N_("Det finns ett konto för uppgiften på tjänsten och skolan."),
        "fail": N_("Det finns inget konto för uppgiften på tjänsten och skolan."),
        "skip": N_("Inte kontrollerat: uppgiften matchade ingen person."),
    },
    "account.active": {
        "pass": N_("Kontot är aktivt."),
        "fail": N_("Kontot är inte aktivt."),
        "skip": N_("Inte kontrollerat om kontot är aktivt: inget konto matchade."),
    },
    "account.locked": {
        "pass": N_("Kontot är inte spärrat."),
        "fail": N_("Kontot är spärrat."),
        "skip": N_("Inte kontrollerat om kontot är spärrat: inget konto matchade."),
    },
    "account.role_archived": {
        "pass": N_("Personens roll på skolan är aktiv."),
        "fail": N_("Personens roll på skolan är arkiverad."),
        "skip": N_("Inte kontrollerat om rollen på skolan är arkiverad: inget konto matchade."),
    },
    "account.login_portal": {
        "pass": N_("Kontot får logga in med lösenord här."),
        "fail": N_("Kontot loggar in via huvudmannens gemensamma inloggning, inte med lösenord här."),
        "skip": N_("Inte kontrollerat hur kontot loggar in: inget konto matchade."),
    },
    "account.must_change_password": {
        "pass": N_("Kontot behöver inte byta lösenord vid nästa inloggning."),
        "advice": N_("Kontot ska byta lösenord vid nästa inloggning. Personen fick veta det."),
        "skip": N_("Inte kontrollerat om lösenordet ska bytas: inget konto matchade."),
    },
    "account.email_registered": {
        "pass": N_("Kontot har en registrerad e-postadress."),
        "fail": N_("Kontot har ingen registrerad e-postadress."),
        "skip": N_("Inte kontrollerat om kontot har en e-postadress: inget konto matchade."),
    },
    "account.password_reset": {
        "pass": N_("Personen fick en länk för att välja ett nytt lösenord."),
        "skip": N_("Personen fick ingen länk för nytt lösenord."),
    },
    "guardian.invited": {
        "pass": N_("Vårdnadshavaren är inbjuden."),
        "fail": N_("Vårdnadshavaren har inte bjudits in."),
        "skip": N_("Inte kontrollerat om vårdnadshavaren är inbjuden: inget konto matchade."),
    },
    "guardian.login_allowed": {
        "pass": N_("Vårdnadshavaren får logga in."),
        "fail": N_("Vårdnadshavaren får inte logga in: inloggningen är avstängd på kontot."),
        "skip": N_("Inte kontrollerat om vårdnadshavaren får logga in: inget konto matchade."),
    },
    "guardian.has_children": {
        "pass": N_("Vårdnadshavaren är kopplad till minst ett barn."),
        "fail": N_("Vårdnadshavaren är inte kopplad till något barn."),
        "skip": N_("Inte kontrollerat om vårdnadshavaren har barn kopplade: inget konto matchade."),
    },
    "guardian.child_at_school": {
        "pass": N_("Ett barn till vårdnadshavaren går på skolan."),
        "fail": N_("Inget av vårdnadshavarens barn går på skolan."),
        "skip": N_("Inte kontrollerat om ett barn går på skolan: inget konto eller inget barn att kontrollera."),
    },
    "guardian.child_active": {
        "pass": N_("Barnets placering på skolan är aktiv."),
        "fail": N_("Barnets placering på skolan är inte aktiv."),
        "skip": N_("Inte kontrollerat om barnets placering är aktiv: inget barn på skolan att kontrollera."),
    },
    "guardian.child_end_date": {
        "pass": N_("Barnets slutdatum på skolan har inte passerat."),
        "fail": N_("Barnets slutdatum på skolan har passerat."),
        "skip": N_("Inte kontrollerat barnets slutdatum: inget barn på skolan att kontrollera."),
    },
    "guardian.child_allows_guardian_login": {
        "pass": N_("Barnets inställningar tillåter att vårdnadshavaren loggar in."),
        "fail": N_("Barnets inställningar tillåter inte att vårdnadshavaren loggar in."),
        "skip": N_("Inte kontrollerat om barnet tillåter inloggning för vårdnadshavare: inget barn på skolan att kontrollera."),
    },
    "guardian.adult_student_access": {
        "pass": N_("Vårdnadshavaren har åtkomst till eleven som fyllt 18."),
        "fail": N_("Eleven har fyllt 18 och vårdnadshavaren har inte fått åtkomst."),
        "skip": N_("Inte kontrollerat om vårdnadshavaren har åtkomst till en elev som fyllt 18: inget barn på skolan att kontrollera."),
    },
    "guardian.bankid_personnummer": {
        "pass": N_("Vårdnadshavaren har ett personnummer registrerat för BankID."),
        "fail": N_("Vårdnadshavaren har inget personnummer registrerat, så BankID fungerar inte."),
        "skip": N_("Inte kontrollerat om ett personnummer finns: inget konto matchade."),
    },
    "guardian.bankid_temporary_personnummer": {
        "pass": N_("Vårdnadshavarens personnummer är inte tillfälligt."),
        "fail": N_("Vårdnadshavarens personnummer är tillfälligt, så BankID fungerar inte."),
        "skip": N_("Inte kontrollerat om personnumret är tillfälligt: inget konto matchade."),
    },
    "guardian.email_is_primary": {
        "pass": N_("Personen skrev den första registrerade e-postadressen."),
        "advice": N_("Personen skrev inte den första registrerade e-postadressen. Svaret gick till den första."),
        "skip": N_("Inte kontrollerat vilken e-postadress personen skrev: inget konto matchade, eller uppgiften var ingen e-postadress."),
    },
    "guardian.profile_at_new_unit": {
        "pass": N_("Vårdnadshavaren har en profil på den nya enheten."),
        "fail": N_("Vårdnadshavaren saknar profil på barnets nya enhet."),
        "skip": N_("Inte kontrollerat om vårdnadshavaren har en profil på en ny enhet: ingen person matchade."),
    },
    "guardian.duplicate_profiles": {
        "pass": N_("Vårdnadshavaren har bara en profil."),
        "fail": N_("Vårdnadshavaren har flera profiler."),
        "skip": N_("Inte kontrollerat om vårdnadshavaren har flera profiler: ingen person matchade."),
    },
    "advice.autofill_old_password": {
        "advice": N_("Personen fick rådet att webbläsaren kan fylla i ett gammalt lösenord."),
    },
    "teacher.assessment_registered": {
        "pass": N_("Läraren är registrerad i bedömningsportalen på skolan."),
        "fail": N_("Läraren är inte registrerad i bedömningsportalen på skolan."),
        "skip": N_("Inte kontrollerat om läraren är registrerad: ingen person matchade."),
    },
    "teacher.assessment_access_current": {
        "pass": N_("Lärarens behörighet gäller detta läsår."),
        "fail": N_("Lärarens behörighet gällde ett tidigare läsår och har inte förnyats."),
        "skip": N_("Inte kontrollerat om behörigheten gäller detta läsår: ingen person matchade."),
    },
    "teacher.account_inactive_code31": {
        "pass": N_("Lärarens konto är aktivt (ingen felkod 31)."),
        "fail": N_("Lärarens konto är inaktivt (felkod 31)."),
        "skip": N_("Inte kontrollerat om kontot är inaktivt: inget konto matchade."),
    },
    "teacher.duplicate_registration": {
        "pass": N_("Läraren är bara registrerad en gång."),
        "fail": N_("Läraren är registrerad två gånger."),
        "skip": N_("Inte kontrollerat om läraren är registrerad två gånger: inget konto matchade."),
    },
    "teacher.same_tenant": {
        "pass": N_("Kontot finns i skolans Microsoft-miljö."),
        "fail": N_("Kontot finns i en annan Microsoft-miljö än skolans."),
        "skip": N_("Inte kontrollerat vilken Microsoft-miljö kontot finns i: inget konto matchade eller skolan saknar uppgift om sin miljö."),
    },
    "teacher.license": {
        "pass": N_("Kontot har rätt licens."),
        "fail": N_("Kontot saknar rätt licens."),
        "skip": N_("Inte kontrollerat om kontot har rätt licens: inget konto matchade."),
    },
    "teacher.role_at_school": {
        "pass": N_("Personen har en lärarroll på skolan."),
        "fail": N_("Personen har ingen lärarroll på skolan."),
        "skip": N_("Inte kontrollerat om personen har en lärarroll: ingen person matchade."),
    },
    "teacher.group_owner": {
        "pass": N_("Läraren äger en kopplad undervisningsgrupp."),
        "fail": N_("Läraren äger ingen kopplad undervisningsgrupp."),
        "skip": N_("Inte kontrollerat om läraren äger en grupp: inget konto matchade."),
    },
    "teacher.course_plan_for_assessments": {
        "pass": N_("Gruppen har kursplan och ämne för bedömningar."),
        "fail": N_("Gruppen saknar kursplan eller ämne, så bedömningar syns inte."),
        "skip": N_("Inte kontrollerat kursplan och ämne: inget konto matchade eller läraren äger ingen kopplad grupp."),
    },
    "mentor.mentor_group_owner": {
        "pass": N_("Mentorn äger en egen mentorsgrupp."),
        "fail": N_("Mentorn äger ingen egen mentorsgrupp."),
        "skip": N_("Inte kontrollerat om mentorn har en mentorsgrupp: inget konto matchade."),
    },
    "student.group_member": {
        "pass": N_("Eleven är med i en kopplad grupp."),
        "fail": N_("Eleven är inte med i någon kopplad grupp."),
        "skip": N_("Inte kontrollerat om eleven är med i en grupp: inget konto matchade."),
    },
    "exam_admin.registered": {
        "pass": N_("Personen är registrerad som provadministratör på skolan."),
        "fail": N_("Personen är inte registrerad som provadministratör på skolan."),
        "skip": N_("Inte kontrollerat om personen är provadministratör: ingen person matchade."),
    },
    "exam_admin.account_inactive_code31": {
        "pass": N_("Provadministratörens behörighet är aktiv (ingen felkod 31)."),
        "fail": N_("Provadministratörens behörighet är inaktiv (felkod 31)."),
        "skip": N_("Inte kontrollerat om behörigheten är aktiv: inget konto matchade."),
    },
    "exam_admin.credentials_from_rector": {
        "fail": N_("Provadministratören behöver nytt lösenord eller ny matris från rektor."),
        "skip": N_("Inte aktuellt: inget konto matchade, så rektor har inget att skicka."),
    },
    "advice.exam_admin_wrong_portal": {
        "advice": N_("Personen fick veta att provadministratörens inloggning bara gäller behörighetssystemet."),
    },
    "advice.matrix_example": {
        "advice": N_("Personen fick veta att matrisen på skärmen bara är ett exempel."),
    },
    "advice.only_rector_deletes": {
        "fail": N_("Personen vill ta bort ett konto, och det kan bara rektor göra."),
    },
    "advice.yearly_reactivation": {
        "advice": N_("Personen fick veta att behörigheten förnyas varje läsår."),
    },
    "advice.new_rector_no_effect": {
        "advice": N_("Personen fick veta att en ny rektor inte ändrar några konton."),
    },
    "eservice.user_authorised": {
        "pass": N_("Personen har behörighet som användare i e-tjänsten."),
        "fail": N_("Personen har ingen behörighet som användare i e-tjänsten."),
        "skip": N_("Inte kontrollerat om personen har behörighet: ingen person matchade."),
    },
    "eservice.single_role": {
        "pass": N_("Personen har bara en roll i e-tjänsten."),
        "fail": N_("Personen har både rollen administratör och rollen användare i e-tjänsten."),
        "skip": N_("Inte kontrollerat personens roller i e-tjänsten: ingen person matchade."),
    },
    "eservice.hsa_id": {
        "pass": N_("Administratören har ett HSA-id registrerat."),
        "fail": N_("Administratören har inget HSA-id registrerat."),
        "skip": N_("Inte kontrollerat om ett HSA-id finns: ingen person matchade."),
    },
    "advice.siths_only": {
        "advice": N_("Personen fick veta att bara SITHS-kort fungerar i e-tjänsten, inte BankID."),
    },
    "advice.try_other_computer": {
        "advice": N_("Personen fick rådet att prova en annan dator."),
    },
    "advice.browser_cache_delay": {
        "advice": N_("Personen fick veta att en ändring kan synas senare i vissa webbläsare."),
    },
    "advice.admin_change_by_email": {
        "fail": N_("Kommunen vill registrera, byta eller ta bort en administratör. Det gör myndighetens support."),
    },
}


def sentence(check: str, outcome: str) -> str | None:
    """The sentence for a check's outcome, or None when the check has none for it."""
    return SENTENCES.get(check, {}).get(outcome)
