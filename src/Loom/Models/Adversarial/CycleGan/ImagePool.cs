using Loom.Core;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Models.Adversarial.CycleGan;

/// <summary>
/// A history of generated images that the discriminator is shown instead of only the newest ones (Shrivastava et
/// al. 2017, used by CycleGAN), so it does not chase the generator's latest mode. While the pool holds fewer than
/// <see cref="Capacity"/> images each new image is stored and returned. Once full, each image is, with probability ½,
/// swapped for a stored one chosen uniformly (the stored image is returned, the new one takes its slot), else returned
/// unchanged. The coin flips and slots come from libtorch's global CPU generator, so a seeded run is repeatable and
/// the trainer's saved RNG state plus <see cref="Capture"/> make a resumed run exact.
/// </summary>
public sealed class ImagePool : IDisposable
{
    private Tensor? stored;

    /// <param name="capacity">Images kept; 0 turns the pool off (<see cref="Query"/> returns its input).</param>
    public ImagePool(int capacity)
    {
        if (capacity < 0) throw LoomUsageException.ForOption("PoolSize", $"must be non-negative, got {capacity}");
        Capacity = capacity;
    }

    public int Capacity { get; }

    /// <summary>Images held now (at most <see cref="Capacity"/>).</summary>
    public int Count { get; private set; }

    /// <summary>
    /// Images to show the discriminator for the batch <paramref name="images"/> [n, …]: a new tensor of the same shape
    /// (without gradient history). A batch that is not finite is returned as it is and never stored, so a diverging
    /// step cannot poison the pool.
    /// </summary>
    public Tensor Query(Tensor images)
    {
        var fresh = images.detach();
        if (Capacity == 0 || !torch.isfinite(fresh).all().item<bool>())
            return fresh.clone();
        using var scope = torch.NewDisposeScope();
        long n = fresh.shape[0];
        var coins = torch.rand(n).data<float>().ToArray();
        var slots = torch.randint(0, Capacity, [n], dtype: ScalarType.Int64).data<long>().ToArray();
        var result = fresh.clone();
        using (torch.no_grad())
        {
            if (stored is null)
            {
                stored = torch.zeros([Capacity, .. fresh.shape.Skip(1)], fresh.dtype, fresh.device);
                stored.DetachFromDisposeScope();
            }
            for (long i = 0; i < n; i++)
            {
                if (Count < Capacity)
                {
                    stored[Count].copy_(fresh[i]);
                    Count++;
                }
                else if (coins[i] < 0.5f)
                {
                    var slot = stored[slots[i]];
                    result[i].copy_(slot);
                    slot.copy_(fresh[i]);
                }
            }
        }
        return result.MoveToOuterDisposeScope();
    }

    /// <summary>The stored images [Count, …] (a copy), or null when the pool is empty.</summary>
    public Tensor? Capture() => stored is null || Count == 0 ? null : stored.narrow(0, 0, Count).clone();

    /// <summary>Replaces the pool's contents with <paramref name="images"/> [k, …] (k ≤ <see cref="Capacity"/>), as saved by
    /// <see cref="Capture"/>.</summary>
    public void Restore(Tensor images)
    {
        if (images.shape[0] > Capacity)
            throw new LoomDataException($"image pool: the saved pool holds {images.shape[0]} images but PoolSize is {Capacity}");
        stored?.Dispose();
        stored = torch.zeros([Capacity, .. images.shape.Skip(1)], images.dtype, images.device);
        stored.DetachFromDisposeScope();
        using (torch.no_grad())
            stored.narrow(0, 0, images.shape[0]).copy_(images);
        Count = (int)images.shape[0];
    }

    public void Dispose()
    {
        stored?.Dispose();
        stored = null;
        Count = 0;
    }
}
