"""What an OB 3.0 ``achievementType`` is called on the pages, in the reader's language.

The terms of OB 3.0's AchievementType enumeration (§B.2.7) and the network's own ``ext:`` terms
(`schemas.vocabulary`). Another issuer's ``ext:`` term is shown by its words ("ext:LabSafetyPass" ->
"Lab Safety Pass"): it is the issuer's own word, not one the scheme defines."""

from __future__ import annotations

import re

from core.i18n import N_, gettext

__all__ = ["achievement_type_name"]

NAMES = {
    "Achievement": N_("Achievement"),
    "ApprenticeshipCertificate": N_("Apprenticeship certificate"),
    "Assessment": N_("Assessment"),
    "Assignment": N_("Assignment"),
    "AssociateDegree": N_("Associate degree"),
    "Award": N_("Award"),
    "Badge": N_("Badge"),
    "BachelorDegree": N_("Bachelor's degree"),
    "Certificate": N_("Certificate"),
    "CertificateOfCompletion": N_("Certificate of completion"),
    "Certification": N_("Certification"),
    "CommunityService": N_("Community service"),
    "Competency": N_("Competency"),
    "Course": N_("Course"),
    "CoCurricular": N_("Co-curricular activity"),
    "Degree": N_("Degree"),
    "Diploma": N_("Diploma"),
    "DoctoralDegree": N_("Doctoral degree"),
    "Fieldwork": N_("Fieldwork"),
    "GeneralEducationDevelopment": N_("General Educational Development (GED)"),
    "JourneymanCertificate": N_("Journeyman certificate"),
    "LearningProgram": N_("Learning programme"),
    "License": N_("Licence"),
    "Membership": N_("Membership"),
    "ProfessionalDoctorate": N_("Professional doctorate"),
    "QualityAssuranceCredential": N_("Quality assurance credential"),
    "MasterCertificate": N_("Master certificate"),
    "MasterDegree": N_("Master's degree"),
    "MicroCredential": N_("Micro-credential"),
    "ResearchDoctorate": N_("Research doctorate"),
    "SecondarySchoolDiploma": N_("Secondary school diploma"),
    "ext:CommunityOfPracticeParticipation": N_("Community of practice participation"),
    "ext:InternationalSkillsExchange": N_("International skills exchange"),
    "ext:EventParticipation": N_("Event participation"),
}


def achievement_type_name(term: str | None) -> str | None:
    if not term:
        return None
    name = NAMES.get(term)
    if name:
        return gettext(name)
    words = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", term.removeprefix("ext:")).strip()
    return words or None
