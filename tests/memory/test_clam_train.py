"""ClAM training: the plateau LR schedule, config validation, the grid trainer and the estimator."""

import numpy as np
import pytest
import torch

from paperbook.memory.clam_train import ClAM, ClAMConfig, PlateauSchedule, fit_clam_grid, grid_configs, labels_of
from paperbook.memory.cluster_data import load_clustering
from paperbook.memory.cluster_eval import evaluate, kmeans_baseline


@pytest.fixture(scope="module")
def iris():
    X, y, k = load_clustering("iris")
    return X, y, k


# --- PlateauSchedule ----------------------------------------------------------------------------

def test_plateau_decays_exactly_after_window_plus_patience_constant_losses():
    window, patience, lr = 10, 5, 0.01
    s = PlateauSchedule(lr, window=window, patience=patience, tol=1e-3, factor=0.8, min_lr=1e-6)
    # call `window` fills the moving mean; calls window+1 .. window+patience are the stagnant comparisons
    lrs = [s.step(1.0) for _ in range(window + patience)]
    assert lrs[:-1] == [lr] * (window + patience - 1)
    assert lrs[-1] == pytest.approx(0.8 * lr, rel=1e-15)
    # the counter restarts: the next decay comes `patience` epochs later
    more = [s.step(1.0) for _ in range(patience)]
    assert more[:-1] == [0.8 * lr] * (patience - 1)
    assert more[-1] == pytest.approx(0.64 * lr, rel=1e-15)


def test_plateau_never_decays_while_loss_keeps_falling():
    s = PlateauSchedule(0.01, window=10, patience=5, tol=1e-3)
    lrs = [s.step(100.0 - 0.5 * epoch) for epoch in range(150)]
    assert set(lrs) == {0.01}
    assert not s.stopped


def test_plateau_stops_once_lr_falls_below_min_lr():
    window, patience, lr, min_lr = 10, 5, 1e-3, 1e-6
    s = PlateauSchedule(lr, window=window, patience=patience, tol=1e-3, factor=0.8, min_lr=min_lr)
    n_decays, x = 0, lr
    while x >= min_lr:
        x *= 0.8
        n_decays += 1
    steps = 0
    while not s.stopped:
        s.step(0.5)
        steps += 1
        assert steps < 10_000
    assert steps == window + patience * n_decays
    assert s.lr < min_lr


# --- ClAMConfig and grid checks -----------------------------------------------------------------

@pytest.mark.parametrize("bad, field", [({"k": 0}, "k"), ({"fill": "median"}, "fill"), ({"beta": 0.0}, "beta"),
                                        ({"beta": -1.0}, "beta"), ({"alpha": 1.5}, "alpha"),
                                        ({"init": "random"}, "init")])
def test_config_rejects_bad_fields(bad, field):
    with pytest.raises(ValueError, match=f"'{field}'"):
        ClAMConfig(**{"k": 3, **bad})


def test_config_steps_follow_alpha():
    assert ClAMConfig(k=2, alpha=0.1).steps == 10
    assert ClAMConfig(k=2, alpha=0.05).steps == 20


def test_fit_grid_rejects_configs_disagreeing_in_a_shared_field(iris):
    X, _, _ = iris
    with pytest.raises(ValueError, match="epochs"):
        fit_clam_grid(X, [ClAMConfig(k=3, epochs=2), ClAMConfig(k=3, epochs=3)])
    with pytest.raises(ValueError):
        fit_clam_grid(X, [])


def test_fit_grid_rejects_more_prototypes_than_samples():
    X = np.random.default_rng(0).normal(size=(3, 2))
    with pytest.raises(ValueError, match="k = 5"):
        fit_clam_grid(X, [ClAMConfig(k=5, epochs=1)])


def test_grid_members_do_not_influence_each_other(iris):
    """Joint fitting: a config's result depends on its own hyper-parameters only, not on its neighbours'
    (same inits, batches and masks; Adam is elementwise)."""
    X, _, k = iris
    c1 = ClAMConfig(k=k, beta=1.0, lr=0.05, epochs=3, batch=32)
    a = fit_clam_grid(X, [c1, ClAMConfig(k=k, beta=1.0, lr=0.05, epochs=3, batch=32)], seed=0)
    b = fit_clam_grid(X, [c1, ClAMConfig(k=k, beta=5.0, lr=0.1, fill="max", epochs=3, batch=32)], seed=0)
    assert torch.equal(a.prototypes[0], b.prototypes[0])
    assert not torch.equal(b.prototypes[0], b.prototypes[1])
    ha, hb = a.history.query("config == 0"), b.history.query("config == 0")
    assert ha["loss"].tolist() == hb["loss"].tolist()


def test_joint_fit_equals_solo_fits_from_the_same_init(iris):
    """Every member of a jointly trained grid (slot 1 included) equals fitting that config alone."""
    X, _, k = iris
    c1 = ClAMConfig(k=k, beta=1.0, lr=0.05, epochs=3, batch=32)
    c2 = ClAMConfig(k=k, beta=5.0, lr=0.1, fill="max", epochs=3, batch=32)
    c3 = ClAMConfig(k=k, beta=2.0, lr=0.05, self_supervised=False, epochs=3, batch=32)
    joint = fit_clam_grid(X, [c1, c2, c3], seed=0)
    for g, c in enumerate([c1, c2, c3]):
        solo = fit_clam_grid(X, [c], seed=0)
        assert torch.allclose(joint.prototypes[g], solo.prototypes[0], atol=1e-12, rtol=0)


def test_best_epoch_is_the_lowest_loss_epoch(iris):
    X, _, k = iris
    configs = grid_configs(k, betas=[0.5, 2.0], lrs=[0.05], fills=["mean"], epochs=6, batch=32)
    fit = fit_clam_grid(X, configs, seed=1)
    assert fit.prototypes.shape == (2, k, X.shape[1])
    assert len(fit.history) == 2 * 6 and not fit.failed.any()
    for g in range(2):
        h = fit.history.query("config == @g")
        assert fit.best_epoch[g] == h.loc[h["loss"].idxmin(), "epoch"]


def test_same_seed_gives_identical_prototypes(iris, device):
    X, _, k = iris
    configs = grid_configs(k, betas=[1.0], lrs=[0.05], fills=["mean"], epochs=3, batch=32)
    a = fit_clam_grid(X, configs, seed=3, device=device)
    b = fit_clam_grid(X, configs, seed=3, device=device)
    c = fit_clam_grid(X, configs, seed=4, device=device)
    assert torch.equal(a.prototypes, b.prototypes)
    assert not torch.equal(a.prototypes, c.prototypes)


# --- end to end ---------------------------------------------------------------------------------

def test_blobs_clam_matches_kmeans(device):
    """Claim A2 on the fast grid (best SC of beta in {1, 2, 5}): a single beta can stall in a local optimum."""
    X, y, k = load_clustering("blobs")
    configs = grid_configs(k, betas=[1.0, 2.0, 5.0], lrs=[0.05], fills=["mean"], epochs=30, batch=32)
    fit = fit_clam_grid(X, configs, seed=0, device=device)
    clam = max((evaluate(X, lab, y) for lab in labels_of(fit, X, configs)), key=lambda r: r["sc"])
    km = evaluate(X, kmeans_baseline(X, k, n_init=20), y)
    assert clam["n_nonempty"] == k
    assert clam["nmi"] >= 0.99
    assert abs(clam["sc"] - km["sc"]) <= 0.01


def test_estimator_fit_predict_on_iris(iris, device):
    X, _, k = iris
    model = ClAM(ClAMConfig(k=k, epochs=3, batch=32), device=device, seed=0).fit(X)
    assert model.prototypes_.shape == (k, X.shape[1])
    assert len(model.history_) == 3 and 0 <= model.best_epoch_ < 3
    for how in ("am", "nearest"):
        labels = model.predict(X, assign_how=how)
        assert labels.shape == (150,)
        assert labels.min() >= 0 and labels.max() < k


def test_mask_sampler_does_not_move_the_batches(iris):
    """Batches, masks and noise have their own streams: an unmasked configuration (which ignores the masks) ends
    identical whichever mask sampler the grid uses."""
    X, _, k = iris
    fits = [fit_clam_grid(X, [ClAMConfig(k=k, self_supervised=False, official_quirks=quirks, epochs=3, batch=32)],
                          seed=0) for quirks in (False, True)]
    assert torch.equal(fits[0].prototypes, fits[1].prototypes)


def test_training_ignores_last_bit_differences_of_the_data():
    """Another CPU changes results in their last bits; snapped prototypes make the whole fit identical anyway
    (without paperbook.core.numerics.snap_ this perturbation moves breast_cancer's SC by ~0.03)."""
    X, y, k = load_clustering("breast_cancer")
    configs = grid_configs(k, betas=[1.0, 5.0], lrs=[0.05], fills=["mean"], epochs=8, batch=32, mask_p=0.2,
                           min_masked=1)
    base = fit_clam_grid(X, configs, seed=0)
    noisy = X * (1 + 1e-15 * np.random.default_rng(1).standard_normal(X.shape))
    other = fit_clam_grid(noisy, configs, seed=0)
    assert torch.equal(base.prototypes, other.prototypes)
    assert np.array_equal(labels_of(base, X, configs), labels_of(other, noisy, configs))


def test_clam_bench_times_one_configuration_and_the_official_grid(capsys):
    from paperbook.memory.clam_bench import main

    out = main(["--dataset", "iris", "--epochs", "1", "--repeats", "1"])
    assert out["grid of 36 s"] > 0 and out["per configuration, grid / one"] == pytest.approx(out["grid / one"] / 36)
    assert "iris, 1 epochs" in capsys.readouterr().out
