"""Theme tagging of community stories against the CoSIE co-creation roadmap.

Pure Python (no Django): the Django side stores the taxonomy and trained models as data
and passes them in.

    from media_pipeline.themes import load_default, tag
    result = tag("Minua kuunneltiin vihdoin.", "fi", load_default())
    result.suggested  # ["empathy"]
"""

from .cli import suggest_for_file
from .language import EU_LANGUAGES, detect_language
from .learning import Decision, ThemeModel, TrainingExample, examples_from_decisions, train
from .tagger import Evidence, MatchedTerm, TaggingResult, ThemeSuggestion, tag
from .taxonomy import Signal, Taxonomy, TaxonomyError, Theme, from_dict, load_default

__all__ = [
    "EU_LANGUAGES",
    "Decision",
    "Evidence",
    "MatchedTerm",
    "Signal",
    "TaggingResult",
    "Taxonomy",
    "TaxonomyError",
    "Theme",
    "ThemeModel",
    "ThemeSuggestion",
    "TrainingExample",
    "detect_language",
    "examples_from_decisions",
    "from_dict",
    "load_default",
    "suggest_for_file",
    "tag",
    "train",
]
