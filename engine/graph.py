"""Graph checks and shape inference over the spec's layer list (a DAG).

A layer takes the previous layer as input unless it names ``inputs``; the reserved id
``"input"`` is the network input. The last layer in the list is the output. These functions work
on raw dicts (``check_graph``) so that graph errors are reported even when some fields are
invalid, and on validated layer models (``infer_shapes``).
"""

import heapq

from engine.layers.base import ShapeProblem
from engine.spec_models import INPUT_ID


def _problem(field, message, layer=None):
    return {"field": field, "layer": layer, "message": message}


def _raw_id(raw_layer):
    layer_id = raw_layer.get("id") if isinstance(raw_layer, dict) else None
    return layer_id if isinstance(layer_id, str) else None


def _sources(raw_layers, index):
    raw_inputs = raw_layers[index].get("inputs") if isinstance(raw_layers[index], dict) else None
    if isinstance(raw_inputs, list):
        return [s for s in raw_inputs if isinstance(s, str)]
    if index == 0:
        return [INPUT_ID]
    # None: the previous layer has no valid id (reported elsewhere); shape inference skips this one
    return [_raw_id(raw_layers[index - 1])]


def check_graph(raw_layers):
    """Returns (problems, order): order lists (index, id, sources) topologically."""
    problems, index_of = [], {}
    for i, raw_layer in enumerate(raw_layers):
        layer_id = _raw_id(raw_layer)
        if layer_id is None:
            continue
        if layer_id == INPUT_ID:
            problems.append(_problem(f"layers[{i}].id", f"{INPUT_ID!r} is reserved for the network input", layer_id))
        elif layer_id in index_of:
            problems.append(_problem(f"layers[{i}].id", f"duplicate id {layer_id!r} (also layers[{index_of[layer_id]}])", layer_id))
        else:
            index_of[layer_id] = i
    sources = {i: _sources(raw_layers, i) for i in index_of.values()}
    for i, srcs in sources.items():
        for k, src in enumerate(srcs):
            if src is not None and src != INPUT_ID and src not in index_of:
                known = ", ".join(sorted(index_of)) or "none"
                problems.append(_problem(f"layers[{i}].inputs[{k}]", f"unknown input {src!r}; known ids: {INPUT_ID}, {known}",
                                         _raw_id(raw_layers[i])))
    order, cycle = _topological_order(index_of, sources)
    for i in cycle:
        members = " -> ".join(_raw_id(raw_layers[j]) for j in cycle)
        problems.append(_problem(f"layers[{i}].inputs", f"layers form a cycle ({members})", _raw_id(raw_layers[i])))
    if not cycle:
        used = {s for i in range(len(raw_layers)) for s in _sources(raw_layers, i)}  # invalid layers use too
        problems.extend(_dangling(raw_layers, index_of, used))
    return problems, [(i, _raw_id(raw_layers[i]), sources[i]) for i in order]


def _topological_order(index_of, sources):
    """Kahn's algorithm; ties go to the earlier layer so sequential stacks keep list order."""
    # unknown sources are reported elsewhere; they never become known, so inference skips the layer
    waiting = {i: sum(1 for s in srcs if s in index_of) for i, srcs in sources.items()}
    consumers = {i: [] for i in sources}
    for i, srcs in sources.items():
        for s in srcs:
            if s in index_of:
                consumers[index_of[s]].append(i)
    ready = [i for i, n in waiting.items() if n == 0]
    heapq.heapify(ready)
    order = []
    while ready:
        i = heapq.heappop(ready)
        order.append(i)
        for j in consumers[i]:
            waiting[j] -= 1
            if waiting[j] == 0:
                heapq.heappush(ready, j)
    stuck = {i for i, n in waiting.items() if n > 0}
    return order, _on_cycles(stuck, consumers)


def _on_cycles(stuck, consumers):
    """The stuck layers that are on a cycle: those merely downstream of one are pruned as sinks
    (nothing of the stuck set consumes them), so a cycle error names only its members."""
    changed = True
    while changed:
        sinks = {i for i in stuck if not any(j in stuck for j in consumers[i])}
        changed = bool(sinks)
        stuck -= sinks
    return sorted(stuck)


def _dangling(raw_layers, index_of, used):
    last = max(index_of.values(), default=-1)
    out = []
    for layer_id, i in index_of.items():
        if i != last and layer_id not in used:
            out.append(_problem(f"layers[{i}]", f"layer {layer_id!r} feeds nothing; connect it or remove it "
                                f"(the last layer, {_raw_id(raw_layers[last])!r}, is the output)", layer_id))
    return out


def infer_shapes(valid_layers, order, input_shape, registry, dtype=None):
    """Per-sample output shapes and parameter counts: ({id: (shape, params)}, problems).

    ``valid_layers`` maps list index -> validated layer spec; invalid layers (and everything fed
    by them) are skipped silently, their field errors are reported elsewhere.
    """
    known = {INPUT_ID: tuple(input_shape)}
    result, problems = {}, []
    for i, layer_id, srcs in order:
        spec = valid_layers.get(i)
        if spec is None or any(s not in known for s in srcs):
            continue
        layer_class = registry[spec.type].impl
        try:
            layer = layer_class(spec, [known[s] for s in srcs])
        except ShapeProblem as shape_problem:
            problems.append(_problem(f"layers[{i}].{shape_problem.field}", shape_problem.message, layer_id))
            continue
        known[layer_id] = layer.output_shape
        result[layer_id] = (layer.output_shape, layer.param_count())
    return result, problems
