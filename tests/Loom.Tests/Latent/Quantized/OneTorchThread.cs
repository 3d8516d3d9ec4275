using TorchSharp;

namespace Loom.Tests.Latent.Quantized;

/// <summary>
/// Base for the VQ-VAE test classes: each test runs with one libtorch intra-op thread. Their tensors are small, and on
/// a busy 2-core machine the second OpenMP thread made the learning test 15× slower (measured: 74 s → 5 s).
/// Test classes run one at a time (AssemblyInfo), so changing the process-wide count is safe.
/// </summary>
public abstract class OneTorchThread : IDisposable
{
    private readonly int previous = torch.get_num_threads();

    protected OneTorchThread() => torch.set_num_threads(1);

    public void Dispose()
    {
        torch.set_num_threads(previous);
        GC.SuppressFinalize(this);
    }
}
