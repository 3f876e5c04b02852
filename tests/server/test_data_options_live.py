"""The training-part data options (train_limit, rare_class, rare_fraction) through the server's
real `dataset` message: the catalog lists them and the live session loads them like any option."""
import json

SAME_ORIGIN = {"origin": "http://testserver"}
MOONS = {"samples": 400, "noise": 0.2, "seed": 3}


def reply(ws, kinds=("dataset_loaded", "error")):
    for _ in range(100):
        raw = ws.receive()
        if raw.get("text") is not None:
            message = json.loads(raw["text"])
            if message["type"] in kinds:
                return message
    raise AssertionError(f"no {kinds}")


def test_catalog_lists_the_options(client):
    sets = {entry["name"]: entry for entry in client.get("/api/catalog").json()["datasets"]}
    names = [option["name"] for option in sets["moons"]["options"]]
    assert {"train_limit", "rare_class", "rare_fraction"} <= set(names)


def test_dataset_message_applies_them_to_training_only(client):
    with client.websocket_connect("/ws", headers=SAME_ORIGIN) as ws:
        ws.send_text(json.dumps({"type": "dataset", "name": "moons", "options": MOONS}))
        full = reply(ws)["info"]
        ws.send_text(json.dumps({"type": "dataset", "name": "moons",
                                 "options": {**MOONS, "train_limit": 40, "rare_class": 1, "rare_fraction": 0.1}}))
        thin = reply(ws)
        assert thin["type"] == "dataset_loaded", thin
        info = thin["info"]
        assert info["train_size"] == 40 and info["val_size"] == full["val_size"]
        assert info["options"]["rare_fraction"] == 0.1
        ws.send_text(json.dumps({"type": "dataset", "name": "moons", "options": {"rare_fraction": 2}}))
        error = reply(ws)
        assert (error["type"], error["code"], error["field"]) == ("error", "invalid_dataset", "options.rare_fraction")
