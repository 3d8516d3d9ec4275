using Loom.Core;
using Loom.Models.Transformer;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Loom.Models.Adapters;

/// <summary>
/// LoRA adapters on a network — a <see cref="DecoderTransformer"/>, or the diffusion U-Net (<see cref="LoraNetworks"/>) — as
/// peft's LoraModel keeps them: adapters added or loaded by name wrap the Linear / Conv1D / Conv2d layers their target
/// modules name; one is active at a time (switch with
/// <see cref="SetActive"/>), all can be disabled, and the active one can be merged into the base weights and unmerged.
/// Adding an adapter freezes the base model: only adapter matrices require gradients. The base model's state dict is
/// unchanged (adapter weights are not registered in it); <see cref="PeftState"/> names them as peft saves them.
/// </summary>
public sealed class LoraAdapters : IDisposable
{
    /// <summary>peft's prefix on saved keys: the PeftModel's <c>base_model</c> (LoraModel) and its <c>model</c>.</summary>
    public const string KeyPrefix = "base_model.model.";

    /// <summary>The name an adapter gets when none is given (peft's "default").</summary>
    public const string DefaultName = "default";

    private readonly nn.Module model;
    private readonly string description;
    private readonly Dictionary<string, LoraLayer> layers = new(StringComparer.Ordinal);
    private readonly Dictionary<string, LoraConfig> configs = new(StringComparer.Ordinal);
    private bool enabled = true;
    private List<Parameter>? frozen;

    /// <summary>Adapters on a transformer; unset target modules default to what peft picks for its style.</summary>
    public LoraAdapters(DecoderTransformer model)
        : this(model, TransformerDefaults(model), $"{model.Config.Style} model")
    {
    }

    /// <summary>Adapters on any network whose layers are Linear, Conv1D or Conv2d.</summary>
    /// <param name="model">The network; its parameters' state-dict paths name the wrapped layers.</param>
    /// <param name="defaultTargets">The target modules an adapter without its own gets.</param>
    /// <param name="description">What the network is, for error messages ("diffusion U-Net").</param>
    /// <param name="modelKind">Loom's model kind, recorded in the adapters' config (null: none).</param>
    public LoraAdapters(nn.Module model, LoraTargets defaultTargets, string description, string? modelKind = null)
    {
        this.model = model;
        this.description = description;
        DefaultTargets = defaultTargets;
        ModelKind = modelKind;
    }

    /// <summary>Loom's model kind of the adapted network, as adapter configs record it (null: unknown).</summary>
    public string? ModelKind { get; }

    /// <summary>Adapter names in the order they were added.</summary>
    public IReadOnlyList<string> Names => configs.Keys.ToList();

    /// <summary>The active adapter, or null when none has been added.</summary>
    public string? Active { get; private set; }

    /// <summary>The wrapped layers by module path.</summary>
    public IReadOnlyDictionary<string, LoraLayer> Layers => layers;

    /// <summary>Whether the active adapter merged into the base weights.</summary>
    public bool IsMerged => layers.Values.Any(l => l.Merged is not null);

    /// <summary>The target modules of an adapter that names none.</summary>
    public LoraTargets DefaultTargets { get; }

    /// <summary>The target modules peft picks for a transformer's style: GPT-2 <c>c_attn</c>; Llama <c>q_proj, v_proj</c>.</summary>
    public static LoraTargets TransformerDefaults(DecoderTransformer model) => model.Config.Style == TransformerStyle.Gpt2
        ? LoraTargets.OfNames("c_attn")
        : model.Config.FusedProjections ? LoraTargets.OfNames("qkv_proj") : LoraTargets.OfNames("q_proj", "v_proj");

    /// <summary>The settings adapter <paramref name="name"/> was added with (targets and fan-in-fan-out resolved).</summary>
    public LoraConfig Config(string name) => configs.TryGetValue(name, out var config) ? config : throw Unknown(name);

    /// <summary>
    /// Adds adapter <paramref name="name"/> with fresh weights (A Kaiming-uniform from <paramref name="seed"/>, B zero) on
    /// every Linear / Conv1D / Conv2d layer its target modules match, freezes the base model, and makes it active if none is.
    /// Returns the resolved settings.
    /// </summary>
    public LoraConfig Add(string name, LoraConfig config, long seed = 0)
    {
        config.Validate();
        if (string.IsNullOrWhiteSpace(name)) throw new LoomUsageException("LoRA: an adapter needs a name");
        if (configs.ContainsKey(name)) throw new LoomUsageException($"LoRA: an adapter named '{name}' is already loaded");
        var targets = config.TargetModules ?? DefaultTargets;
        var matched = Modules().Where(m => targets.Matches(m.Path)).ToList();
        if (matched.Count == 0)
            throw LoomUsageException.ForOption("TargetModules", $"'{targets}' matches no module of this {description}; "
                + $"its adaptable layers are {string.Join(", ", WrappableNames())}");
        foreach (var (path, module) in matched.Where(m => !LoraLayer.CanWrap(m.Module)))
            throw LoomUsageException.ForOption("TargetModules",
                $"'{targets}' matches {path}, a {module.GetType().Name}; LoRA wraps {LoraLayer.WrappableKinds} only");
        var resolved = config with
        {
            TargetModules = targets,
            FanInFanOut = matched.Any(m => m.Module is Conv1D),
            ModelKind = ModelKind ?? config.ModelKind,
        };
        using var generator = Seeding.Generator(seed, "lora-init");
        foreach (var (path, module) in matched)
        {
            if (!layers.TryGetValue(path, out var layer))
                layers[path] = layer = LoraLayer.Wrap(path, module);
            layer.Add(name, resolved, generator);
            layer.Enabled = enabled;
        }
        configs[name] = resolved;
        Freeze();
        if (Active is null) SetActive(name);
        return resolved;
    }

    /// <summary>Makes <paramref name="name"/> the adapter that applies (unmerging the one merged, if any).</summary>
    public void SetActive(string name)
    {
        if (!configs.ContainsKey(name)) throw Unknown(name);
        Unmerge();
        Active = name;
        foreach (var layer in layers.Values) layer.Active = name;
    }

    /// <summary>False: every layer computes its base output only (a merged adapter is unmerged first).</summary>
    public bool Enabled
    {
        get => enabled;
        set
        {
            if (!value) Unmerge();
            enabled = value;
            foreach (var layer in layers.Values) layer.Enabled = value;
        }
    }

    /// <summary>Adds the active adapter into the base weights (faster inference; the same outputs within rounding).</summary>
    public void Merge()
    {
        if (!enabled) throw new LoomUsageException("LoRA: adapters are disabled; enable them before merging");
        foreach (var layer in layers.Values) layer.Merge();
    }

    /// <summary>Restores the base weights a merge changed.</summary>
    public void Unmerge()
    {
        foreach (var layer in layers.Values) layer.Unmerge();
    }

    /// <summary>Adapter <paramref name="name"/>'s matrices (A then B per layer): what fine-tuning trains.</summary>
    public IReadOnlyList<Parameter> Parameters(string name)
    {
        if (!configs.ContainsKey(name)) throw Unknown(name);
        return layers.Values.Where(l => l.Adapters.ContainsKey(name))
            .SelectMany(l => new[] { l.Adapters[name].A, l.Adapters[name].B }).ToList();
    }

    /// <summary>
    /// Adapter <paramref name="name"/>'s tensors under peft's saved names: <c>base_model.model.PATH.lora_A.weight</c>,
    /// <c>….lora_B.weight</c>.
    /// </summary>
    public IReadOnlyDictionary<string, Tensor> PeftState(string name)
    {
        if (!configs.ContainsKey(name)) throw Unknown(name);
        var state = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var layer in layers.Values.Where(l => l.Adapters.ContainsKey(name)))
        {
            state[KeyA(layer.Path)] = layer.Adapters[name].A;
            state[KeyB(layer.Path)] = layer.Adapters[name].B;
        }
        return state;
    }

    /// <summary>
    /// Adds adapter <paramref name="name"/> with <paramref name="config"/> and copies its saved weights from
    /// <paramref name="state"/> (peft's names). Every wrapped layer needs its A and B with this model's shapes, and every
    /// saved tensor must belong to a wrapped layer; otherwise nothing is added and the error names the tensor.
    /// </summary>
    public void Load(string name, LoraConfig config, IReadOnlyDictionary<string, Tensor> state, string source)
    {
        Add(name, config);
        try
        {
            var expected = new HashSet<string>(StringComparer.Ordinal);
            foreach (var layer in layers.Values.Where(l => l.Adapters.ContainsKey(name)))
            {
                string keyA = KeyA(layer.Path), keyB = KeyB(layer.Path);
                expected.Add(keyA);
                expected.Add(keyB);
                if (!state.TryGetValue(keyA, out var a) || !state.TryGetValue(keyB, out var b))
                    throw new LoomDataException($"{source}: no {(state.ContainsKey(keyA) ? keyB : keyA)}; "
                        + "the adapter's target modules do not match its weights, or it was trained on another base model");
                layer.Adapters[name].CopyFrom(a, b, keyA, keyB, source);
            }
            if (state.Keys.FirstOrDefault(k => !expected.Contains(k)) is { } extra)
                throw new LoomDataException(
                    $"{source}: {extra} belongs to no layer of this model; was the adapter trained on another base model?");
        }
        catch
        {
            Remove(name);
            throw;
        }
    }

    /// <summary>Removes adapter <paramref name="name"/>; another one becomes active if this was.</summary>
    public void Remove(string name)
    {
        if (!configs.Remove(name)) throw Unknown(name);
        foreach (var layer in layers.Values) layer.Remove(name);
        if (configs.Count == 0) Unfreeze();
        if (Active == name)
        {
            Active = null;
            if (configs.Count > 0) SetActive(configs.Keys.First());
        }
    }

    /// <summary>Unmerges, unhooks every layer and frees the adapters; the base parameters require gradients again.</summary>
    public void Dispose()
    {
        foreach (var layer in layers.Values) layer.Dispose();
        layers.Clear();
        configs.Clear();
        Unfreeze();
    }

    /// <summary>Stops gradients to the base model, remembering which parameters required them.</summary>
    private void Freeze()
    {
        if (frozen is not null) return;
        frozen = model.parameters().Where(p => p.requires_grad).ToList();
        foreach (var p in frozen) p.requires_grad = false;
    }

    private void Unfreeze()
    {
        foreach (var p in frozen ?? []) p.requires_grad = true;
        frozen = null;
    }

    /// <summary>Each module that holds parameters once, under its state-dict path (the prefix of its parameters' HF keys,
    /// which peft's keys repeat).</summary>
    private List<(string Path, nn.Module Module)> Modules() =>
        ModuleTree.Distinct(model).Where(m => m.Path.Length > 0 && ModuleTree.OwnsParameters(model, m.Path)).ToList();

    private static string KeyA(string path) => $"{KeyPrefix}{path}.lora_A.weight";

    private static string KeyB(string path) => $"{KeyPrefix}{path}.lora_B.weight";

    private IEnumerable<string> WrappableNames() =>
        Modules().Where(m => LoraLayer.CanWrap(m.Module)).Select(m => m.Path.Split('.')[^1]).Distinct();

    private LoomUsageException Unknown(string name) =>
        new($"LoRA: no adapter named '{name}'; loaded: {(configs.Count == 0 ? "none" : string.Join(", ", configs.Keys))}");
}
