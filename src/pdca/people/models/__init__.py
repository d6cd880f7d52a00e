from pdca.people.models.campaigns import AwarenessCampaign, Qualification
from pdca.people.models.competence import CompetenceRequirement, TrainingRecord
from pdca.people.models.courses import (
    Choice,
    Course,
    CourseImage,
    Module,
    PathCourse,
    Question,
    TrainingPath,
)
from pdca.people.models.learning import Assignment, Enrolment, ModuleCompletion, QuizAttempt

__all__ = [
    "Assignment",
    "AwarenessCampaign",
    "Choice",
    "CompetenceRequirement",
    "Course",
    "CourseImage",
    "Enrolment",
    "Module",
    "ModuleCompletion",
    "PathCourse",
    "Qualification",
    "Question",
    "QuizAttempt",
    "TrainingPath",
    "TrainingRecord",
]
