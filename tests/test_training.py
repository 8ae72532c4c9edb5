"""utils.training: the shared training path lowers the loss; the lecture's loss; bad input."""

import numpy as np
import pytest

from utils.runtime import quiet_tensorflow

tf = quiet_tensorflow()
import keras  # noqa: E402

from utils.autoencoder import build_autoencoder, train_autoencoder  # noqa: E402
from utils.training import (batches, in_pipeline, learning_rate_schedule, sum_cross_entropy,  # noqa: E402
                            sum_squared_error, train_model)


def _images(n=512, seed=0):
    rng = np.random.default_rng(seed)
    x = np.zeros((n, 28, 28, 1), np.float32)
    rows = rng.integers(4, 24, n)
    for i, r in enumerate(rows):          # a bright bar at a random height: easy to learn
        x[i, r:r + 3, 4:24, 0] = 1.0
    return x


def test_sum_squared_error_is_the_per_image_sum():
    a = np.zeros((2, 3, 3, 1), np.float32)
    b = a.copy()
    b[0] = 0.5
    b[1, 0, 0, 0] = 2.0
    np.testing.assert_allclose(np.asarray(sum_squared_error(a, b)), [9 * 0.25, 4.0])


def test_short_training_lowers_the_loss():
    x = _images()
    keras.utils.set_random_seed(0)
    before = float(np.mean(np.sum((build_autoencoder(4, (4, 8))(x).numpy() - x) ** 2, axis=(1, 2, 3))))
    r = train_model(lambda: build_autoencoder(4, (4, 8)), x, x, epochs=6, batch_size=32, seed=0,
                    learning_rate=1e-2, validation_data=(x[:64], x[:64]), progress=False)
    assert set(r.history) >= {"loss", "val_loss"} and len(r.history["loss"]) == 6
    assert r.history["loss"][-1] < 0.5 * r.history["loss"][0]
    assert r.history["loss"][-1] < 0.5 * before
    assert r.seconds > 0


def test_callbacks_see_every_epoch():
    x = _images(128)
    seen = []

    class Record(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            seen.append((epoch, float(logs["loss"])))

    r = train_model(lambda: build_autoencoder(2, (4, 4)), x, x, epochs=3, batch_size=32, callbacks=[Record()],
                    progress=False)
    assert [e for e, _ in seen] == [0, 1, 2]
    assert [v for _, v in seen] == pytest.approx(r.history["loss"])


def test_train_autoencoder_is_train_model_with_the_recipe():
    """train_autoencoder(p, x) = train_model(build_autoencoder(p, widths), x, x) with recipes' defaults."""
    from utils import recipes

    x = _images(256)
    a = train_autoencoder(3, x, widths=(4, 8), epochs=2, batch_size=32, seed=5, progress=False)
    b = train_model(lambda: build_autoencoder(3, (4, 8)), x, x, epochs=2, batch_size=32, seed=5, progress=False)
    assert a.history["loss"] == pytest.approx(b.history["loss"], rel=1e-5)
    assert a.model.get_layer("encoder").output.shape[-1] == 3
    assert a.settings == {**b.settings, "latent_size": 3, "widths": (4, 8), "output_activation": "linear",
                          "loss": "sum_squared_error"}
    assert b.settings["epochs"] == 2 and b.settings["batch_size"] == 32 and b.settings["seed"] == 5
    assert b.settings["steps_per_execution"] == recipes.STEPS_PER_EXECUTION and b.settings["schedule"] == recipes.SCHEDULE
    assert not {"jit_compile", "pipeline", "strategy", "shuffle"} & set(b.settings)   # the benchmarks' options
    assert b.settings["learning_rate"] == recipes.LEARNING_RATE
    noisy = np.clip(x + 0.3 * np.random.default_rng(0).standard_normal(x.shape).astype(np.float32), 0, 1)
    d = train_autoencoder(3, noisy, x, widths=(4, 8), epochs=1, batch_size=32, progress=False)
    assert np.isfinite(d.history["loss"][0]) and d.settings["seed"] == recipes.SEED


def test_one_seed_makes_runs_reproducible():
    x = _images(256)
    runs = [train_model(lambda: build_autoencoder(3, (4, 8)), x, x, epochs=2, batch_size=32, seed=s,
                        progress=False).history["loss"] for s in (7, 7, 8)]
    assert runs[0] == runs[1]          # weights and shuffling both follow the seed
    assert runs[0] != runs[2]


def test_progress_prints_one_short_line_per_epoch(capsys):
    x = _images(128)
    train_model(lambda: build_autoencoder(2, (4, 4)), x, x, epochs=2, batch_size=32,
                validation_data=(x[:32], x[:32]))
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 2
    assert lines[0].startswith("epoch 1/2  loss ") and "val_loss " in lines[0] and lines[0].endswith(" s")
    assert lines[1].startswith("epoch 2/2  ")


def test_corrupt_draws_fresh_noise_every_epoch_and_is_seeded():
    x = np.linspace(0, 1, 8 * 4, dtype=np.float32).reshape(8, 2, 2, 1)
    seen = []

    def corrupt(xb, seed):
        seen.append(seed)
        return np.clip(xb + np.random.default_rng(seed).normal(0, 0.1, xb.shape), 0, 1).astype(np.float32)

    def epochs_of(seed):
        data = batches(x, x, 4, seed=seed, corrupt=corrupt)
        return [[(a.numpy(), b.numpy()) for a, b in data] for _ in range(2)]

    first = epochs_of(3)
    seeds_first = list(seen)
    for (noisy, clean) in first[0] + first[1]:
        assert not np.array_equal(noisy, clean)             # inputs corrupted ...
        assert np.any(np.all(np.isclose(x.reshape(8, -1), clean.reshape(len(clean), -1)[:1]), axis=1))  # targets clean
    assert len(set(seeds_first)) == len(seeds_first) == 4   # a fresh seed for every batch of every epoch
    seen.clear()
    again = epochs_of(3)
    assert sorted(seen) == sorted(seeds_first)              # the same seed, the same corruption
    for (a, _), (b, _) in zip(first[0] + first[1], again[0] + again[1]):
        np.testing.assert_array_equal(a, b)


def test_in_pipeline_corrupt_runs_as_tensorflow_ops_fresh_every_epoch_and_seeded():
    from utils.noise import gaussian_corruption

    x = np.full((64, 4, 4, 1), 0.5, np.float32)
    corrupt = gaussian_corruption(0.2)
    assert corrupt.in_pipeline

    def two_epochs(seed):
        data = batches(x, x, 16, seed=seed, corrupt=corrupt)
        return [np.concatenate([a.numpy() for a, _ in data]) for _ in range(2)]

    first, second = two_epochs(5)
    assert first.shape == x.shape and not np.array_equal(first, second)   # fresh noise every epoch
    for epoch in (first, second):
        assert 0.0 <= epoch.min() and epoch.max() <= 1.0
        assert abs(float(epoch.mean()) - 0.5) < 0.02 and abs(float(epoch.std()) - 0.2) < 0.02
    again = two_epochs(5)
    np.testing.assert_array_equal(np.sort(first, axis=None), np.sort(again[0], axis=None))   # same seed, same draws
    assert not np.array_equal(np.sort(first, axis=None), np.sort(two_epochs(6)[0], axis=None))


def test_in_pipeline_corrupt_of_the_wrong_shape_is_refused():
    x = np.zeros((8, 4, 4, 1), np.float32)
    with pytest.raises(ValueError, match="corrupt returned shape"):
        batches(x, x, 4, corrupt=in_pipeline(lambda xb, seed: xb[:, :2]))
    with pytest.raises(TypeError, match="corrupt"):
        in_pipeline("noise")


def test_denoising_training_with_corrupt():
    from utils.noise import gaussian_noise

    x = _images(256)
    r = train_autoencoder(3, x, widths=(4, 8), epochs=2, batch_size=32, progress=False,
                          corrupt=lambda xb, s: gaussian_noise(xb, 0.3, seed=s))
    assert np.isfinite(r.history["loss"]).all() and r.settings["corrupt"] == "<lambda>"
    from utils.noise import gaussian_corruption

    r = train_autoencoder(3, x, widths=(4, 8), epochs=2, batch_size=32, progress=False,
                          corrupt=gaussian_corruption(0.3))
    assert np.isfinite(r.history["loss"]).all() and r.settings["corrupt"] == "gaussian_corruption(0.3)"


def test_nan_loss_stops_with_a_clear_error():
    x = _images(128)
    with pytest.raises(FloatingPointError, match="the loss became nan in epoch 1"):
        train_model(lambda: build_autoencoder(2, (4, 4)), x, x, epochs=2, batch_size=32, progress=False,
                    loss=lambda a, b: keras.ops.sum(b, axis=(1, 2, 3)) * np.float32("nan"))


def test_sum_cross_entropy_is_the_per_image_bernoulli_sum_and_smallest_at_the_target():
    x = np.array([0.0, 1.0, 0.3, 0.7], np.float32).reshape(1, 2, 2, 1)
    p = np.array([0.2, 0.9, 0.5, 0.6], np.float32).reshape(1, 2, 2, 1)
    expected = -np.sum(x * np.log(p) + (1 - x) * np.log(1 - p))
    np.testing.assert_allclose(np.asarray(sum_cross_entropy(x, p)), [expected], rtol=1e-6)
    # for grey targets too the sum is smallest when the prediction equals the target
    grid = np.linspace(0.01, 0.99, 99, dtype=np.float32)
    for target in (0.3, 0.7):
        losses = [float(sum_cross_entropy(np.full((1, 1), target, np.float32), np.full((1, 1), q, np.float32))[0])
                  for q in grid]
        assert grid[int(np.argmin(losses))] == pytest.approx(target, abs=0.006)
    # a saturated prediction gives a large finite loss, not inf
    worst = np.asarray(sum_cross_entropy(np.ones((1, 4), np.float32), np.zeros((1, 4), np.float32)))
    assert np.isfinite(worst).all() and worst[0] == pytest.approx(-4 * np.log(1e-6), rel=1e-3)
    with pytest.raises(ValueError, match="nothing is broadcast"):
        sum_cross_entropy(np.zeros((1, 28, 28), np.float32), keras.ops.zeros((1, 28, 28, 1)))


def test_adam_betas_reach_the_optimizer_and_the_settings():
    x = _images(64)
    r = train_model(lambda: build_autoencoder(2, (4, 8)), x, x, epochs=1, batch_size=32, progress=False,
                    adam_betas=(0.8, 0.99))
    assert (float(r.model.optimizer.beta_1), float(r.model.optimizer.beta_2)) == pytest.approx((0.8, 0.99))
    assert r.settings["adam_betas"] == (0.8, 0.99)
    default = train_model(lambda: build_autoencoder(2, (4, 8)), x, x, epochs=1, batch_size=32, progress=False)
    assert default.settings["adam_betas"] == (0.9, 0.999)


def test_train_autoencoder_with_a_sigmoid_output_and_the_cross_entropy():
    x = _images(256)
    r = train_autoencoder(4, x, widths=(4, 8), epochs=2, batch_size=32, output_activation="sigmoid",
                          loss=sum_cross_entropy, progress=False)
    assert r.settings["loss"] == "sum_cross_entropy" and r.settings["output_activation"] == "sigmoid"
    out = np.asarray(r.model(x[:8]))
    assert out.min() > 0 and out.max() < 1                       # a sigmoid output is a valid image
    assert r.history["loss"][-1] < r.history["loss"][0]


def test_sum_squared_error_refuses_broadcasting():
    with pytest.raises(ValueError, match=r"y_true has shape \(1, 28, 28\) but y_pred has shape \(1, 28, 28, 1\)"):
        sum_squared_error(np.zeros((1, 28, 28), np.float32), keras.ops.zeros((1, 28, 28, 1)))


def test_batches_shuffle_and_drop_the_remainder():
    x = np.arange(10, dtype=np.float32).reshape(10, 1)
    got = [b.numpy() for b in batches(x, None, 4, seed=0)]
    assert [len(b) for b in got] == [4, 4]
    pairs = [(a.numpy(), b.numpy()) for a, b in batches(x, x * 2, 5, shuffle=False)]
    np.testing.assert_array_equal(pairs[0][1], 2 * pairs[0][0])


def test_cosine_schedule_warms_up_then_decays():
    s = learning_rate_schedule(1e-2, 100, "cosine")
    lr = [float(s(i)) for i in (0, 5, 50, 100)]
    assert lr[0] == pytest.approx(1e-3) and lr[1] == pytest.approx(1e-2)
    assert lr[2] < lr[1] and lr[3] == pytest.approx(1e-4, rel=1e-3)
    assert learning_rate_schedule(1e-3, 10, "constant") == 1e-3


@pytest.mark.parametrize("kwargs, error, match", [
    (dict(epochs=0), ValueError, "epochs is 0"),
    (dict(batch_size=0), ValueError, "batch_size is 0"),
    (dict(learning_rate=-1.0), ValueError, "learning_rate is -1"),
    (dict(schedule="step"), ValueError, "schedule is 'step'"),
    (dict(y=np.zeros((3, 28, 28, 1), np.float32)), ValueError, "x has 8 examples but y has 3"),
    (dict(build_model="ae"), TypeError, "build_model is .ae. \\(str\\)"),
    (dict(callbacks=keras.callbacks.History()), TypeError, "callbacks is <keras"),
    (dict(adam_betas=0.9), TypeError, "adam_betas is 0.9"),
    (dict(adam_betas=(0.9,)), TypeError, "expected two numbers"),
    (dict(adam_betas=(0.9, 1.0)), ValueError, "adam_betas\\[1\\] is 1; expected a value in \\[0, 1\\)"),
    (dict(adam_betas=(-0.1, 0.99)), ValueError, "adam_betas\\[0\\] is -0.1"),
    (dict(adam_betas=("0.9", 0.99)), TypeError, "adam_betas\\[0\\] is '0.9'"),
])
def test_bad_input(kwargs, error, match):
    args = dict(build_model=lambda: build_autoencoder(2, (4, 4)), x=np.zeros((8, 28, 28, 1), np.float32), batch_size=4,
                epochs=1)
    args["y"] = args["x"]
    args.update(kwargs)
    with pytest.raises(error, match=match):
        train_model(args.pop("build_model"), args.pop("x"), args.pop("y"), **args)


# ---------------------------------------------------------------- a corruption must draw its noise from its seed
def _numpy_noise_in_the_pipeline(xb, seed):
    """The mistake: numpy noise in a corruption marked to run as a TensorFlow graph (drawn once, when traced)."""
    return tf.clip_by_value(xb + np.random.default_rng().normal(0, 0.3, (8, 4, 4, 1)).astype(np.float32), 0, 1)


def _fixed_noise(xb, seed):
    return np.clip(xb + np.random.default_rng(0).normal(0, 0.3, xb.shape), 0, 1).astype(np.float32)


def _unseeded_noise(xb, seed):
    return np.clip(xb + np.random.default_rng().normal(0, 0.3, xb.shape), 0, 1).astype(np.float32)


def test_numpy_noise_in_the_pipeline_would_be_the_same_every_batch_and_is_refused():
    x = np.full((64, 4, 4, 1), 0.5, np.float32)
    data = batches(x, x, 8, seed=0, corrupt=in_pipeline(_numpy_noise_in_the_pipeline))
    noise = [a.numpy() - b.numpy() for _ in range(2) for a, b in data]     # two epochs of 8 batches
    assert np.abs(noise[0]).max() > 0 and all(np.array_equal(noise[0], n) for n in noise)   # one noise, 16 times
    with pytest.raises(ValueError, match=r"corrupt gives different outputs for the same batch and seed.*numpy draw "
                                         r"runs once, when the graph is traced.*tf.random.stateless_normal"):
        train_model(lambda: build_autoencoder(2, (4, 4)), _images(64), _images(64), epochs=1, batch_size=8,
                    corrupt=in_pipeline(lambda xb, seed: _numpy_noise_in_the_pipeline(xb[:, :4, :4], seed)),
                    progress=False)


@pytest.mark.parametrize("corrupt, match", [
    (in_pipeline(lambda xb, seed: tf.clip_by_value(xb + 0.1, 0.0, 1.0)), "same output for two different seeds"),
    (_fixed_noise, "same output for two different seeds"),
    (_unseeded_noise, "does not make the run reproducible: draw with numpy.random.default_rng"),
])
def test_a_corruption_that_ignores_its_seed_is_warned_about(corrupt, match):
    x = _images(64)
    with pytest.warns(RuntimeWarning, match=match):
        r = train_model(lambda: build_autoencoder(2, (4, 4)), x, x, epochs=1, batch_size=32, corrupt=corrupt,
                        progress=False)
    assert np.isfinite(r.history["loss"][0])


def test_a_seeded_corruption_gives_no_warning():
    import warnings

    from utils.noise import gaussian_corruption, gaussian_noise

    x = _images(64)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for corrupt in (gaussian_corruption(0.3), lambda xb, s: gaussian_noise(xb, 0.3, seed=s)):
            train_model(lambda: build_autoencoder(2, (4, 4)), x, x, epochs=1, batch_size=32, corrupt=corrupt,
                        progress=False)


def test_cross_entropy_refuses_targets_outside_0_1():
    x255 = (_images(16) * 255).astype(np.float32)
    with pytest.raises(ValueError, match=r"y_true holds values in \[0, 255\]; sum_cross_entropy expects targets in "
                                         r"\[0, 1\].*divide by 255 first"):
        sum_cross_entropy(x255, keras.ops.convert_to_tensor(np.full(x255.shape, 0.5, np.float32)))
    with pytest.raises(ValueError, match=r"y holds values in \[0, 255\]; sum_cross_entropy expects targets"):
        train_model(lambda: build_autoencoder(2, (4, 4)), _images(16), x255, epochs=1, batch_size=8,
                    loss=sum_cross_entropy, progress=False)
    with pytest.raises(ValueError, match=r"y holds values in \[-0.5, 1\]"):
        train_model(lambda: build_autoencoder(2, (4, 4)), _images(16), _images(16) * 1.5 - 0.5, epochs=1,
                    batch_size=8, loss=sum_cross_entropy, progress=False)
