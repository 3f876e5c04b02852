"""Real time series bundled with statsmodels, cut into windows for forecasting.

The validation part is the end of the series (a forecaster must not see the future), and the
series is standardized with the mean and standard deviation of the training part only.
x: (N, window, 1) float32, y: (N, horizon) float32 in the same standardized units; `extras`
carry mean/std to turn predictions back into sunspot numbers or ppm.

>>> d = load_dataset("sunspots", window=20)
>>> d.x_train.shape[1:], d.y_train.shape[1:]
((20, 1), (1,))
"""
from __future__ import annotations

import numpy as np

from .cache import raw_arrays, raw_source
from .dataset import Dataset
from .options import Option
from .registry import register


@raw_source("sunspots", source="statsmodels")
def convert_sunspots() -> dict:
    from statsmodels.datasets import sunspots  # lazily: statsmodels imports pandas
    frame = sunspots.load_pandas().data
    return {"time": frame["YEAR"].to_numpy(np.float64), "value": frame["SUNACTIVITY"].to_numpy(np.float32)}


@raw_source("co2", source="statsmodels")
def convert_co2() -> dict:
    from statsmodels.datasets import co2
    frame = co2.load_pandas().data
    dates = frame.index
    years = (dates.year + (dates.day_of_year - 1) / 365.25).to_numpy(np.float64)
    values = frame["co2"].to_numpy(np.float64, copy=True)
    # 59 weeks have no measurement; a straight line between neighbours keeps the steps even.
    missing = np.isnan(values)
    values[missing] = np.interp(years[missing], years[~missing], values[~missing])
    return {"time": years, "value": values.astype(np.float32)}


def make_windows(series: np.ndarray, window: int, horizon: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """All (inputs, targets, index of the first target) triples that fit in the series."""
    starts = np.arange(len(series) - window - horizon + 1)
    inputs = series[starts[:, None] + np.arange(window)]
    targets = series[starts[:, None] + window + np.arange(horizon)]
    return inputs[:, :, None].astype(np.float32), targets.astype(np.float32), starts + window


def forecast_dataset(name: str, series: np.ndarray, window: int, horizon: int, val_split: float,
                     time: np.ndarray) -> Dataset:
    split_at = int(round(len(series) * (1 - val_split)))  # first time index of validation
    mean, std = float(series[:split_at].mean()), float(series[:split_at].std()) or 1.0
    inputs, targets, first_target = make_windows((series - mean) / std, window, horizon)
    in_train = first_target + horizon - 1 < split_at  # every target of the window is in training
    in_val = first_target >= split_at
    return Dataset(name, "forecasting", inputs[in_train], targets[in_train], inputs[in_val],
                   targets[in_val],
                   extras={"mean": mean, "std": std, "split_time": float(time[split_at])})


def _register_series(name: str, title: str, window: int, window_max: int, horizon_max: int,
                     size: dict, description: str) -> None:
    options = (
        Option("window", window, "int", low=2, high=window_max, help="past values the model sees"),
        Option("horizon", 1, "int", low=1, high=horizon_max, help="future values to predict"),
        Option("val_split", 0.2, "float", low=0.05, high=0.5, help="the last part, held out"),
    )

    @register(name, title=title, group="series", task="forecasting", input_shape=(window, 1),
              output_shape=(1,), size=size, source="statsmodels", options=options,
              description=description)
    def load(window, horizon, val_split) -> Dataset:
        raw = raw_arrays(name, name)
        return forecast_dataset(name, raw["value"].astype(np.float64), window, horizon,
                                val_split, raw["time"])


_register_series("sunspots", "Sunspots (yearly, 1700-2008)", 20, 100, 20,
                 {"train": 227, "val": 62}, "309 yearly sunspot numbers with their 11-year cycle.")
_register_series("co2", "Mauna Loa CO2 (weekly, 1958-2001)", 52, 260, 52,
                 {"train": 1775, "val": 457},
                 "2,284 weekly CO2 readings: a rising trend with a yearly cycle.")
