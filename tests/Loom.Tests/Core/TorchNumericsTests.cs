using Loom.Core;
using Mono.Cecil;
using Mono.Cecil.Cil;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Tests.Core;

/// <summary>
/// The lifetime guard of <see cref="TorchNumerics"/>: TorchSharp.dll rewritten so that no wrapper is finalized while
/// native code reads it. The IL checks read the TorchSharp.dll this process loaded; the stress check fails (or crashes
/// the run) with the package's TorchSharp.dll. The convolution guard is tested in Models/Layers/ConvolutionsTests.
/// </summary>
public sealed class TorchNumericsTests
{
    private static readonly Lazy<ModuleDefinition> LoadedTorchSharp =
        new(() => ModuleDefinition.ReadModule(typeof(torch).Assembly.Location, new ReaderParameters { InMemory = true }));

    private static MethodDefinition Method(string type, string name, params string[] parameterTypes) =>
        LoadedTorchSharp.Value.GetTypes().Single(t => t.FullName == type).Methods.Single(m =>
            m.Name == name && m.Parameters.Select(p => p.ParameterType.Name).SequenceEqual(parameterTypes));

    /// <summary>The argument indexes (0 = this) passed to GC.KeepAlive right before each ret of <paramref name="method"/>.</summary>
    private static IReadOnlyList<HashSet<int>> KeptAliveAtEachReturn(MethodDefinition method)
    {
        var result = new List<HashSet<int>>();
        foreach (var ret in method.Body.Instructions.Where(i => i.OpCode == OpCodes.Ret))
        {
            var kept = new HashSet<int>();
            for (var call = ret.Previous; call?.Previous is { } load && call.Operand is MethodReference { Name: "KeepAlive" };
                 call = load.Previous)
            {
                if (load.OpCode.Code is >= Code.Ldarg_0 and <= Code.Ldarg_3)
                    kept.Add(load.OpCode.Code - Code.Ldarg_0);
                else if (load.Operand is ParameterDefinition p)
                    kept.Add(p.Index + (method.HasThis ? 1 : 0));
            }
            result.Add(kept);
        }
        return result;
    }

    [Fact]
    public void This_process_runs_the_rewritten_TorchSharp_and_reports_oneDNN()
    {
        Assert.Equal("keepalive-v1", TorchNumerics.LifetimeGuard);
        Assert.Equal(Environment.GetEnvironmentVariable(TorchNumerics.OneDnnVariable) == "0" ? "off (LOOM_ONEDNN=0)" : "on",
            TorchNumerics.OneDnn);
    }

    [Theory]
    [InlineData("mul", new[] { "Scalar" }, new[] { 0, 1 })]
    [InlineData("add", new[] { "Scalar", "Scalar" }, new[] { 0, 1, 2 })]
    [InlineData("add", new[] { "Tensor", "Scalar" }, new[] { 0, 1, 2 })]
    public void Tensor_arithmetic_keeps_this_and_every_operand_alive_until_it_returns(string name, string[] parameters, int[] expected)
    {
        var method = Method("TorchSharp.torch/Tensor", name, parameters);
        var returns = KeptAliveAtEachReturn(method);
        Assert.NotEmpty(returns);
        Assert.All(returns, kept => Assert.Superset(expected.ToHashSet(), kept));
    }

    [Fact]
    public void Backward_keeps_the_list_of_tensors_whose_handles_it_copied_alive()
    {
        var method = Method("TorchSharp.torch/autograd", "backward", "IList`1", "IList`1", "Nullable`1", "Boolean", "IList`1");
        Assert.All(KeptAliveAtEachReturn(method), kept => Assert.Superset(new HashSet<int> { 0, 1, 4 }, kept));
    }

    [Fact]
    public void Scalar_and_tensor_temporaries_survive_forced_collections_during_native_calls()
    {
        using var x = torch.linspace(-3, 3, 4096);
        float expected = (x * 0.5 + 0.25).mul(2.0).sub(0.5).sum().item<float>();
        int wrong = 0;
        RunWithCollectorThread(() =>
        {
            for (int i = 0; i < 3000; i++)
            {
                using var total = (x * 0.5 + 0.25).mul(2.0).sub(0.5).sum();  // every other temporary is left to the finalizer
                if (total.item<float>() != expected)
                    wrong++;
            }
        });
        Assert.Equal(0, wrong);
    }

    private static void RunWithCollectorThread(Action work)
    {
        using var stop = new CancellationTokenSource();
        var collector = new Thread(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                GC.KeepAlive(new byte[1 << 16]);
                GC.Collect();
                GC.WaitForPendingFinalizers();
            }
        })
        { IsBackground = true };
        collector.Start();
        try
        {
            work();
        }
        finally
        {
            stop.Cancel();
            collector.Join();
        }
    }
}
