using Loom.Core;

namespace Loom.Evaluation.Memorization;

/// <summary>Result of a loss-threshold membership-inference attack.</summary>
/// <param name="Auroc">Area under the ROC curve of "lower loss ⇒ member": 0.5 means the model leaks nothing this attack can see, 1 means
/// members are perfectly separable.</param>
/// <param name="Advantage">Best true-positive minus false-positive rate over all thresholds (Yeom et al. 2018's membership
/// advantage).</param>
/// <param name="TprAtLowFpr">True-positive rate at a false-positive rate of at most <see cref="MembershipInference.LowFpr"/>
/// (1%): the share of members the attacker names while wrongly naming at most 1% of non-members (Carlini et al. 2022's
/// low-FPR view; 0.01 is what chance gives).</param>
public sealed record MembershipInferenceResult(double Auroc, double Advantage, int Members, int NonMembers,
    double MeanMemberLoss, double MeanNonMemberLoss, double TprAtLowFpr);

/// <summary>
/// Loss-threshold membership inference (Yeom et al. 2018): an attacker guesses "in the training set" when a model's
/// loss on an example is below a threshold. Given per-example losses on training members and on held-out
/// non-members, this reports the attack's AUROC (Mann-Whitney, ties counted half), its best advantage and its
/// true-positive rate at 1% false positives. <see cref="Calibrated"/> is the reference-model variant.
/// </summary>
public static class MembershipInference
{
    /// <summary>The false-positive rate <see cref="MembershipInferenceResult.TprAtLowFpr"/> is read at.</summary>
    public const double LowFpr = 0.01;

    public static MembershipInferenceResult LossThreshold(IReadOnlyList<double> memberLosses, IReadOnlyList<double> nonMemberLosses)
    {
        if (memberLosses.Count == 0 || nonMemberLosses.Count == 0)
            throw new LoomDataException(
                $"membership inference needs losses for members and non-members, got {memberLosses.Count} and {nonMemberLosses.Count}");
        if (memberLosses.Concat(nonMemberLosses).Any(v => !double.IsFinite(v)))
            throw new LoomDataException("membership inference: a per-example loss is NaN or infinite");
        // Sort all losses ascending; sweep thresholds between distinct values.
        var all = memberLosses.Select(v => (Loss: v, Member: true)).Concat(nonMemberLosses.Select(v => (Loss: v, Member: false)))
            .OrderBy(p => p.Loss).ToArray();
        double m = memberLosses.Count, n = nonMemberLosses.Count;
        double aucNumerator = 0, advantage = 0, tprAtLowFpr = 0;
        double membersBelow = 0, nonMembersBelow = 0;
        for (int i = 0; i < all.Length;)
        {
            int j = i;
            double tieMembers = 0, tieNon = 0;
            while (j < all.Length && all[j].Loss == all[i].Loss)
            {
                if (all[j].Member) tieMembers++; else tieNon++;
                j++;
            }
            // Each member in this tie group beats every non-member with a larger loss, and ties half.
            aucNumerator += tieMembers * (n - nonMembersBelow - tieNon) + 0.5 * tieMembers * tieNon;
            membersBelow += tieMembers;
            nonMembersBelow += tieNon;
            advantage = Math.Max(advantage, membersBelow / m - nonMembersBelow / n);
            if (nonMembersBelow / n <= LowFpr)
                tprAtLowFpr = membersBelow / m;
            i = j;
        }
        return new MembershipInferenceResult(aucNumerator / (m * n), advantage, (int)m, (int)n,
            memberLosses.Average(), nonMemberLosses.Average(), tprAtLowFpr);
    }

    /// <summary>
    /// The reference-calibrated attack (Carlini et al. 2022's LiRA-offline in its simplest form, Watson et al. 2022): each
    /// example's loss under the target minus its loss under a reference model trained on other data from the same
    /// population, so that examples that are simply easy do not look like members. Thresholds the differences as
    /// <see cref="LossThreshold"/> does; the mean losses reported are the calibrated ones.
    /// </summary>
    public static MembershipInferenceResult Calibrated(IReadOnlyList<double> memberLosses, IReadOnlyList<double> memberReferenceLosses,
        IReadOnlyList<double> nonMemberLosses, IReadOnlyList<double> nonMemberReferenceLosses)
    {
        if (memberLosses.Count != memberReferenceLosses.Count || nonMemberLosses.Count != nonMemberReferenceLosses.Count)
            throw new LoomDataException("calibrated membership inference needs a reference loss per example, got "
                + $"{memberLosses.Count} and {memberReferenceLosses.Count} for members, "
                + $"{nonMemberLosses.Count} and {nonMemberReferenceLosses.Count} for non-members");
        return LossThreshold(memberLosses.Zip(memberReferenceLosses, (t, r) => t - r).ToArray(),
            nonMemberLosses.Zip(nonMemberReferenceLosses, (t, r) => t - r).ToArray());
    }
}
