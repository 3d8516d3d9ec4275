using System.Text.Json.Nodes;
using Loom.Core;
using Loom.Models;
using Loom.Models.Hmm;
using static TorchSharp.torch;

namespace Loom.Tests.Hmm;

public class HmmCheckpointTests
{
    [Theory]
    [InlineData(HmmEmission.Categorical)]
    [InlineData(HmmEmission.GaussianDiag)]
    [InlineData(HmmEmission.GaussianFull)]
    public void LoadOfConfigAndStateReproducesLikelihoodsAndSamples(HmmEmission emission)
    {
        using var truth = emission == HmmEmission.Categorical ? HmmTestModels.Categorical3() : HmmTestModels.Full2();
        var data = HmmTestModels.Sample(truth, 4, 40).Observations;
        using var model = HiddenMarkovModel.Fit(data, new HmmOptions { States = 2, Emission = emission, MaxIter = 5, Seed = 3 });
        var config = JsonNode.Parse(model.GetConfig().ToJsonString())!.AsObject();   // through text, as a checkpoint would
        var state = model.GetState().ToDictionary(kv => kv.Key, kv => kv.Value.clone());
        var family = ModelRegistry.Get("hmm");
        Assert.IsType<HmmFamily>(family);
        using var loaded = (HiddenMarkovModel)family.Load(config, state, CPU);
        Assert.Equal(model.LogLikelihoods(data), loaded.LogLikelihoods(data));
        Assert.Equal(emission, loaded.Emission);
        Assert.Equal(model.Options, loaded.Options);
        var request = new SampleRequest { Count = 2, Length = 15, Seed = 8 };
        var a = (SequenceSamples)model.Sample(request);
        var b = (SequenceSamples)loaded.Sample(request);
        for (int i = 0; i < 2; i++)
            Assert.True(HmmBruteForce.Same(a.Observations[i], b.Observations[i]));
    }

    [Fact]
    public void LoadRejectsMissingOrInconsistentTensors()
    {
        using var model = HmmTestModels.Categorical3();
        var family = new HmmFamily();
        var config = model.GetConfig();
        var state = model.GetState();
        var missing = state.Where(kv => kv.Key != "transmat").ToDictionary(kv => kv.Key, kv => kv.Value);
        Assert.Contains("transmat", Assert.Throws<LoomDataException>(() => family.Load(config, missing, CPU)).Message);
        var notStochastic = new Dictionary<string, Tensor>(state) { ["startprob"] = tensor(new[] { 0.5, 0.5, 0.5 }) };
        Assert.Contains("startprob", Assert.Throws<LoomDataException>(() => family.Load(config, notStochastic, CPU)).Message);
        var wrongStates = (JsonObject)config.DeepClone();
        wrongStates["states"] = 4;
        Assert.Throws<LoomDataException>(() => family.Load(wrongStates, state, CPU));
    }
}
