using Loom.Core;
using Loom.Models.Adversarial.CycleGan;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Tests.Adversarial.CycleGan;

public class ImagePoolTests
{
    /// <summary>n constant 1×2×2 images whose value is their id: images[i] is filled with ids[i].</summary>
    private static Tensor Images(params float[] ids) =>
        torch.tensor(ids).reshape(ids.Length, 1, 1, 1).expand(ids.Length, 1, 2, 2).contiguous();

    /// <summary>The id of each returned image (all its pixels share it).</summary>
    private static float[] Ids(Tensor images) => images.flatten(1).select(1, 0).data<float>().ToArray();

    [Fact]
    public void Fills_first_returning_the_new_images()
    {
        torch.manual_seed(1);
        using var pool = new ImagePool(5);
        using var first = pool.Query(Images(1, 2, 3));
        Assert.Equal([1, 2, 3], Ids(first));
        Assert.Equal(3, pool.Count);
        using var second = pool.Query(Images(4, 5));
        Assert.Equal([4, 5], Ids(second));
        Assert.Equal(5, pool.Count);
        using var stored = pool.Capture()!;
        Assert.Equal([1, 2, 3, 4, 5], Ids(stored));
    }

    [Fact]
    public void Once_full_swaps_about_half_for_stored_images()
    {
        torch.manual_seed(2);
        using var pool = new ImagePool(4);
        pool.Query(Images(1, 2, 3, 4)).Dispose();
        var stored = new List<float> { 1, 2, 3, 4 };   // the pool's contents as a multiset
        int swapped = 0, total = 0;
        for (int batch = 0; batch < 20; batch++)
        {
            var ids = Enumerable.Range(0, 10).Select(i => 100f + batch * 10 + i).ToArray();
            using var result = pool.Query(Images(ids));
            Assert.Equal(new long[] { 10, 1, 2, 2 }, result.shape);
            var returned = Ids(result);
            for (int i = 0; i < ids.Length; i++)
            {
                total++;
                if (returned[i] == ids[i]) continue;
                // A swapped image is one the pool held at that moment; the new image takes its slot.
                Assert.True(stored.Remove(returned[i]), $"image {returned[i]} was not in the pool");
                stored.Add(ids[i]);
                swapped++;
            }
            Assert.Equal(4, pool.Count);
        }
        Assert.InRange(swapped / (double)total, 0.35, 0.65);
        using var captured = pool.Capture()!;
        Assert.Equal(stored.Order(), Ids(captured).Order());
    }

    [Fact]
    public void Same_seed_same_choices_and_capture_restore_continues_exactly()
    {
        float[] Run(long seed, bool roundTrip)
        {
            torch.manual_seed(seed);
            using var pool = new ImagePool(3);
            var outputs = new List<float>();
            for (int batch = 0; batch < 8; batch++)
            {
                if (roundTrip && batch == 4)
                {
                    using var saved = pool.Capture()!;
                    pool.Dispose();
                    pool.Restore(saved);
                }
                using var result = pool.Query(Images(Enumerable.Range(0, 4).Select(i => batch * 4f + i + 1).ToArray()));
                outputs.AddRange(Ids(result));
            }
            return outputs.ToArray();
        }
        var a = Run(7, roundTrip: false);
        Assert.Equal(a, Run(7, roundTrip: false));
        Assert.Equal(a, Run(7, roundTrip: true));
        Assert.NotEqual(a, Run(8, roundTrip: false));
    }

    [Fact]
    public void Size_zero_passes_through_and_non_finite_batches_are_never_stored()
    {
        using (var off = new ImagePool(0))
        using (var result = off.Query(Images(7, 8)))
        {
            Assert.Equal([7, 8], Ids(result));
            Assert.Null(off.Capture());
        }
        torch.manual_seed(3);
        using var pool = new ImagePool(2);
        using var bad = pool.Query(Images(float.NaN, 1));
        Assert.Equal(0, pool.Count);
        Assert.True(bad[0].isnan().all().item<bool>());
        Assert.Throws<LoomUsageException>(() => new ImagePool(-1));
    }
}
