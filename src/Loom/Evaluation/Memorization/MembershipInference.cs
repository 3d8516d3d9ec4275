using Loom.Core;

namespace Loom.Evaluation.Memorization;

/// <summary>Result of a loss-threshold membership-inference attack.</summary>
/// <param name="Auroc">Area under the ROC curve of "lower loss ⇒ member": 0.5 means the model leaks nothing this attack can see, 1 means
/// members are perfectly separable.</param>
/// <param name="Advantage">Best true-positive minus false-positive rate over all thresholds (Yeom et al. 2018's membership
/// advantage).</param>
public sealed record MembershipInferenceResult(double Auroc, double Advantage, int Members, int NonMembers,
    double MeanMemberLoss, double MeanNonMemberLoss);

/// <summary>
/// Loss-threshold membership inference (Yeom et al. 2018): an attacker guesses "in the training set" when a model's
/// loss on an example is below a threshold. Given per-example losses on training members and on held-out
/// non-members, this reports the attack's AUROC (Mann-Whitney, ties counted half) and its best advantage.
/// </summary>
public static class MembershipInference
{
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
        double aucNumerator = 0, advantage = 0;
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
            i = j;
        }
        return new MembershipInferenceResult(aucNumerator / (m * n), advantage, (int)m, (int)n,
            memberLosses.Average(), nonMemberLosses.Average());
    }
}
