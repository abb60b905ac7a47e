"""MultiLayerNet and SimpleConvNet: backprop against numerical gradients, and training."""

from __future__ import annotations

import numpy as np
import pytest

from engine.gradcheck import relative_error
from engine.layers import BatchNormalization, Dropout, Sigmoid, Tanh
from engine.nets import MultiLayerNet, SimpleConvNet, train

GRADIENT_TOLERANCE = 1e-7


def toy_batch(n=6, d=4, classes=3, seed=0):
    rng = np.random.default_rng(seed)
    return rng.standard_normal((n, d)), rng.integers(0, classes, n)


def assert_gradients_match(net, x, t):
    """Relative error of all parameters' gradients together, as one vector: a bias in front
    of batch norm has a true gradient of 0, where per-parameter scaling would compare noise."""
    backprop = net.gradient(x, t)
    numerical = net.numerical_gradient(x, t)
    assert backprop.keys() == numerical.keys() == net.params.keys()
    error = relative_error(
        *(np.concatenate([g[k].ravel() for k in net.params]) for g in (backprop, numerical))
    )
    assert error < GRADIENT_TOLERANCE


@pytest.mark.parametrize("activation", ["relu", "sigmoid", "tanh"])
@pytest.mark.parametrize("use_batchnorm", [False, True])
def test_multilayer_gradient_matches_numerical_gradient(activation, use_batchnorm):
    net = MultiLayerNet(
        4,
        [5, 4],
        3,
        activation=activation,
        use_batchnorm=use_batchnorm,
        weight_init="xavier",
        weight_decay_lambda=0.1,
        seed=1,
    )
    assert_gradients_match(net, *toy_batch())


def test_multilayer_params_are_named_like_the_book_and_shared_with_the_layers():
    net = MultiLayerNet(4, [5, 6], 3, use_batchnorm=True, use_dropout=True)
    assert list(net.params) == [
        "W1",
        "b1",
        "gamma1",
        "beta1",
        "W2",
        "b2",
        "gamma2",
        "beta2",
        "W3",
        "b3",
    ]
    assert list(net.layers) == [
        "Affine1",
        "BatchNorm1",
        "Activation1",
        "Dropout1",
        "Affine2",
        "BatchNorm2",
        "Activation2",
        "Dropout2",
        "Affine3",
    ]
    assert net.params["W2"] is net.layers["Affine2"].W
    assert net.params["gamma1"] is net.layers["BatchNorm1"].gamma
    assert net.params["W1"].shape == (4, 5) and net.params["b3"].shape == (3,)
    assert isinstance(net.layers["Dropout2"], Dropout)
    assert isinstance(net.layers["BatchNorm2"], BatchNormalization)


def test_in_place_updates_of_params_change_the_predictions():
    net = MultiLayerNet(4, [5], 3)
    x, _ = toy_batch()
    before = net.predict(x)
    net.params["W1"] *= 2
    assert not np.allclose(net.predict(x), before)


@pytest.mark.parametrize(("name", "layer_class"), [("sigmoid", Sigmoid), ("tanh", Tanh)])
def test_activation_is_chosen_by_name(name, layer_class):
    net = MultiLayerNet(4, [5, 5], 3, activation=name)
    assert isinstance(net.layers["Activation2"], layer_class)
    with pytest.raises(ValueError, match="activation"):
        MultiLayerNet(4, [5], 3, activation="gelu")


def test_weight_init_by_name_or_std_from_the_seed():
    he = MultiLayerNet(400, [300], 10, weight_init="he", seed=3)
    xavier = MultiLayerNet(400, [300], 10, weight_init="xavier", seed=3)
    assert he.params["W1"].std() == pytest.approx(np.sqrt(2 / 400), rel=0.02)
    assert xavier.params["W1"].std() == pytest.approx(1 / np.sqrt(400), rel=0.02)
    assert not np.any(MultiLayerNet(4, [5], 3, weight_init=0.0).params["W1"])
    np.testing.assert_array_equal(
        MultiLayerNet(4, [5], 3, seed=9).params["W1"], MultiLayerNet(4, [5], 3, seed=9).params["W1"]
    )


def test_weight_decay_adds_half_lambda_sum_of_squares_and_lambda_w():
    x, t = toy_batch()
    plain = MultiLayerNet(4, [5], 3, seed=2)
    decayed = MultiLayerNet(4, [5], 3, seed=2, weight_decay_lambda=0.3)
    squares = sum(np.sum(decayed.params[k] ** 2) for k in ("W1", "W2"))
    assert decayed.loss(x, t) == pytest.approx(plain.loss(x, t) + 0.15 * squares, rel=1e-14)
    g_plain, g_decayed = plain.gradient(x, t), decayed.gradient(x, t)
    np.testing.assert_allclose(g_decayed["W1"], g_plain["W1"] + 0.3 * plain.params["W1"])
    np.testing.assert_array_equal(g_decayed["b1"], g_plain["b1"])  # biases are not decayed


def test_dropout_is_on_only_in_training_and_repeats_for_a_seed():
    x, _ = toy_batch(n=20)
    a = MultiLayerNet(4, [50], 3, use_dropout=True, dropout_ratio=0.5, seed=4)
    b = MultiLayerNet(4, [50], 3, use_dropout=True, dropout_ratio=0.5, seed=4)
    np.testing.assert_array_equal(a.predict(x, train=True), b.predict(x, train=True))
    np.testing.assert_array_equal(a.predict(x), a.predict(x))  # inference is deterministic
    assert not np.allclose(a.predict(x, train=True), a.predict(x))


def test_batchnorm_net_predicts_with_running_statistics_at_inference():
    x, _ = toy_batch(n=8)
    net = MultiLayerNet(4, [5], 3, use_batchnorm=True)
    single = net.predict(x[:1])  # one sample: batch statistics would be degenerate
    np.testing.assert_allclose(single, net.predict(x)[:1])


def test_accuracy_with_labels_or_one_hot():
    net = MultiLayerNet(4, [5], 3, seed=5)
    x, _ = toy_batch(n=30)
    predicted = np.argmax(net.predict(x), axis=1)
    labels = predicted.copy()
    labels[:6] = (labels[:6] + 1) % 3
    assert net.accuracy(x, labels) == pytest.approx(24 / 30)
    assert net.accuracy(x, np.eye(3)[labels]) == pytest.approx(24 / 30)


def test_float32_net_stays_float32():
    net = MultiLayerNet(4, [5], 3, use_batchnorm=True, dtype=np.float32)
    x, t = toy_batch()
    grads = net.gradient(x.astype(np.float32), t)
    assert {g.dtype for g in grads.values()} == {np.dtype(np.float32)}
    assert net.loss(x.astype(np.float32), t).dtype == np.float32


def test_simple_conv_net_gradient_matches_numerical_gradient():
    net = SimpleConvNet(
        input_dim=(2, 6, 5),
        filter_num=3,
        filter_size=3,
        pad=1,
        hidden_size=4,
        output_size=3,
        weight_init="he",
        weight_decay_lambda=0.05,
        seed=6,
    )
    rng = np.random.default_rng(6)
    x = rng.standard_normal((3, 2, 6, 5))
    assert list(net.params) == ["W1", "b1", "W2", "b2", "W3", "b3"]
    assert net.params["W1"].shape == (3, 2, 3, 3)
    assert net.params["W2"].shape == (3 * 3 * 2, 4)
    assert_gradients_match(net, x, rng.integers(0, 3, 3))


def test_training_with_adam_fits_a_separable_toy_problem():
    optim = pytest.importorskip("engine.optim")
    rng = np.random.default_rng(7)
    x = rng.standard_normal((200, 2))
    t = (x[:, 0] + 2 * x[:, 1] > 0).astype(int)
    net = MultiLayerNet(2, [16], 2, seed=7)
    history = train(
        net,
        optim.Adam(lr=0.01),
        x,
        t,
        epochs=20,
        batch_size=20,
        x_test=x[:50],
        t_test=t[:50],
        seed=7,
    )
    assert len(history.loss) == 20 * 10
    assert len(history.train_accuracy) == len(history.test_accuracy) == 20
    assert np.mean(history.loss[-10:]) < 0.5 * np.mean(history.loss[:10])
    assert history.train_accuracy[-1] > 0.95
