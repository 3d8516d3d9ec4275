using Loom.Evaluation.Memorization;

namespace Loom.Evaluation.Suite;

/// <summary>Adds the nearest-training-neighbour numbers to a result under the same names for every data type.</summary>
public static class MemorizationReport
{
    public static void AddProximity(EvaluationResult result, ProximityResult proximity)
    {
        result.Add("nn_train_distance_median", proximity.MedianSampleDistance);
        if (proximity.MedianHeldOutDistance is { } held)
            result.Add("nn_heldout_distance_median", held);
        if (proximity.Ratio is { } ratio)
            result.Add("nn_distance_ratio", ratio);
        if (proximity.CloserThanHeldOut is { } closer)
            result.Add("closer_than_heldout_p1", closer);
    }
}
