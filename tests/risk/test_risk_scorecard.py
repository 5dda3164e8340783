"""The PD scorecard: sklearn-shaped, saved and loaded, shipped with a model card, explains itself in points."""
from __future__ import annotations

import json
from datetime import date

import numpy as np
import pytest
from risk_helpers import TODAY, applicant, cet6, degree

from credlift.domain.credential import CredentialRecord
from credlift.tools.risk.features import applicant_features, book_features
from credlift.training.risk.loanbook import generate_loan_book
from credlift.tools.risk.scorecard import (DEFAULT_MODEL_FILE, Scorecard, card_path, default_model_path,
                                           load_default_scorecard)


@pytest.fixture(scope="module")
def small_fit():
    book = generate_loan_book(40_000, seed=21)
    return Scorecard(version="t").fit(book_features(book), book["default_12m"]), book


def test_scorecard_is_sklearn_shaped(small_fit):
    model, book = small_fit
    assert not hasattr(Scorecard(), "segments_")           # nothing learned before fit
    assert set(model.segments_) == {"yes", "no"} and model.n_samples_ == len(book)
    proba = model.predict_proba(book_features(book.head(50)))
    assert proba.shape == (50, 2) and np.allclose(proba.sum(axis=1), 1.0)


def test_save_and_load_give_the_same_predictions(small_fit, tmp_path):
    model, book = small_fit
    path = model.save(tmp_path / "sc.joblib", card={"version": "t"})
    loaded = Scorecard.load(path)
    X = book_features(book.head(500))
    assert np.allclose(loaded.predict_proba(X), model.predict_proba(X))
    assert json.loads(card_path(path).read_text())["version"] == "t"


def test_numeric_bins_have_a_monotone_default_rate(small_fit):
    model, _ = small_fit
    for segment in model.segments_.values():
        rates = np.array(segment.binnings_["utilisation"].event_rates)
        assert np.all(np.diff(rates) >= 0), rates


def test_shipped_scorecard_loads_offline_with_its_model_card():
    card = json.loads(card_path(DEFAULT_MODEL_FILE).read_text(encoding="utf-8"))
    assert {"data", "metrics_out_of_time", "version"} <= set(card)
    # trained on the evidence-sized book (seed 1): out-of-time AUC 0.747, KS 0.360 (docs/risk-line.md)
    assert "--effects evidence" in card["data"]["source"] and "--seed 1" in card["data"]["source"]
    assert card["metrics_out_of_time"]["auc"] >= 0.74 and card["metrics_out_of_time"]["ks"] >= 0.35
    model = Scorecard.load(DEFAULT_MODEL_FILE)
    assert model.version == card["version"]


def test_strong_credential_lowers_a_thin_file_applicants_pd():
    model = Scorecard.load(DEFAULT_MODEL_FILE)
    person = applicant()
    with_degree = model.score(person, degree("master"), TODAY)
    assert with_degree.probability_of_default < with_degree.baseline_probability_of_default
    below_line = model.score(person, cet6(score=380), TODAY)
    assert below_line.probability_of_default > with_degree.probability_of_default
    assert with_degree.band in {"A", "B", "C", "D"} and with_degree.model_version == model.version


def test_points_are_neutral_points_plus_contributions_and_match_the_batch_path():
    model = Scorecard.load(DEFAULT_MODEL_FILE)
    person, credential = applicant(utilisation=0.6), cet6()
    score = model.score(person, credential, TODAY)
    import pandas as pd

    X = pd.DataFrame([applicant_features(person, credential, TODAY)])
    assert score.probability_of_default == pytest.approx(model.predict_proba(X)[0, 1])
    assert score.neutral_points + sum(score.contributions.values()) == pytest.approx(model.points(X)[0], abs=0.1)
    assert score.contributions["utilisation"] < 0            # 60% utilisation costs points


def test_old_credential_is_a_separate_weaker_category():
    model = Scorecard.load(DEFAULT_MODEL_FILE)
    recent = model.score(applicant(), degree(issue_date="2024-06-30"), TODAY)
    old = model.score(applicant(), degree(issue_date="2010-06-30"), TODAY)
    assert recent.probability_of_default < old.probability_of_default < old.baseline_probability_of_default


def test_unreadable_fields_score_as_no_information():
    model = Scorecard.load(DEFAULT_MODEL_FILE)
    blank = model.score(applicant(), CredentialRecord(type="degree", fields={}), date(2026, 1, 1))
    assert blank.probability_of_default == pytest.approx(blank.baseline_probability_of_default)


def test_scorecard_trained_into_the_data_dir_wins(data_dir):
    from credlift.training.risk.train import train_scorecard

    assert default_model_path() == DEFAULT_MODEL_FILE
    train_scorecard(generate_loan_book(20_000, seed=2), data_dir / "models" / "scorecard.joblib", version="local")
    assert default_model_path() == data_dir / "models" / "scorecard.joblib"
    assert load_default_scorecard().version == "local"


def test_credential_levels_are_read_from_canonical_fields_and_printed_names():
    from credlift.tools.risk.features import credential_level

    assert credential_level(CredentialRecord(type="cet6", fields={"total_score": "561"})) == "550+"
    assert credential_level(CredentialRecord(type="cet4", fields={"total_score": 424})) == "below_425"
    assert credential_level(CredentialRecord(type="graduation", fields={"level": "本科"})) == "bachelor"
    assert credential_level(CredentialRecord(type="vocational", fields={"skill_level": 3})) == "3"
    assert credential_level(CredentialRecord(type="award", fields={"award_scope": "national"})) == "national"
    assert credential_level(CredentialRecord(type="degree", fields={})) == "unknown"
