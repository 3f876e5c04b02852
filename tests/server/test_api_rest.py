"""REST routes through TestClient: health, catalog from the registries, validate, static files."""
from engine.data import DATASETS
from engine.registry import LAYERS, LOSSES

SPEC = {"input": {"shape": [2]},
        "layers": [{"id": "h1", "type": "dense", "units": 8, "activation": "tanh"},
                   {"id": "out", "type": "dense", "units": 1, "activation": "sigmoid"}],
        "loss": "binary_cross_entropy", "batch_size": 16}


def test_health_answers_with_session_counts(client):
    body = client.get("/api/health").json()
    assert body["status"] == "ok" and body["sessions"]["total"] == 0


def test_catalog_lists_exactly_what_the_registries_hold(client):
    body = client.get("/api/catalog").json()
    assert [entry["name"] for entry in body["layers"]] == list(LAYERS)
    assert [entry["name"] for entry in body["losses"]] == list(LOSSES)
    assert [entry["name"] for entry in body["datasets"]] == list(DATASETS)
    dense = next(entry for entry in body["layers"] if entry["name"] == "dense")
    assert any(field["name"] == "units" and "minimum" in field for field in dense["fields"])
    assert {"neuron_grid", "weights", "gradients", "confusion"} <= {view["name"] for view in body["views"]}
    assert body["quotas"]["max_params"] > 0


def test_validate_gives_shapes_and_parameter_counts(client):
    body = client.post("/api/validate", json=SPEC).json()
    assert body["valid"] and body["errors"] == []
    assert [(layer["id"], layer["output_shape"], layer["params"]) for layer in body["layers"]] == [
        ("h1", [8], 24), ("out", [1], 9)]
    assert body["total_params"] == 33


def test_validate_names_every_problem_with_its_layer_and_field(client):
    spec = {**SPEC, "layers": [{"id": "h1", "type": "dense", "units": 0},
                               {"id": "h2", "type": "dense", "units": "8"},
                               {"id": "out", "type": "dense", "units": 1, "activation": "sigmoid"}]}
    errors = client.post("/api/validate", json=spec).json()["errors"]
    assert {(e["layer"], e["field"]) for e in errors} >= {("h1", "layers[0].units"), ("h2", "layers[1].units")}
    assert all(e["message"] for e in errors)


def test_validate_applies_the_quotas_before_anything_is_built(client):
    wide = {**SPEC, "layers": [{"id": "h1", "type": "dense", "units": 10**7}, SPEC["layers"][1]]}
    errors = client.post("/api/validate", json=wide).json()["errors"]
    assert errors[0]["code"] == "quota_exceeded" and errors[0]["field"] == "layers[0].units"
    deep = {**SPEC, "input": {"shape": [1024]},
            "layers": [{"id": f"h{i}", "type": "dense", "units": 1024} for i in range(3)] + [SPEC["layers"][1]],
            "batch_size": 1024}
    errors = client.post("/api/validate", json=deep).json()["errors"]
    assert {e["code"] for e in errors} == {"quota_exceeded"}
    assert any("parameters" in e["message"] for e in errors) and any("GFLOP" in e["message"] for e in errors)


def test_dataset_preview_and_its_option_errors(client):
    preview = client.get("/api/datasets/xor/preview?count=5&noise=0.2").json()
    assert preview["name"] == "xor" and preview["kind"] == "points"
    refused = client.get("/api/datasets/xor/preview?noise=9")
    assert refused.status_code == 422 and refused.json()["detail"]["field"] == "noise"


def test_upload_is_validated_and_oversize_refused(client):
    rows = "x1,x2,label\n" + "".join(f"{i % 7},{i % 5},{i % 2}\n" for i in range(40))
    accepted = client.post("/api/datasets/upload", files={"file": ("points.csv", rows, "text/csv")})
    assert accepted.status_code == 200, accepted.text
    assert accepted.json()["name"].startswith("upload:")
    limit = client.app.state.settings.quotas.max_upload_bytes
    refused = client.post("/api/datasets/upload", files={"file": ("big.csv", b"1" * (limit + 1), "text/csv")})
    assert refused.status_code == 413 and refused.json()["detail"]["code"] == "quota_exceeded"


def test_web_and_only_npm_dependencies_are_served(client):
    assert client.get("/").status_code == 200
    assert client.get("/js/protocol.js").status_code == 200
    assert client.get("/vendor/uplot/package.json").status_code == 200
    assert client.get("/vendor/typescript/package.json").status_code == 404  # a devDependency
    assert client.get("/node_modules/uplot/package.json").status_code == 404
    assert client.get("/docs").status_code == 200  # OpenAPI
