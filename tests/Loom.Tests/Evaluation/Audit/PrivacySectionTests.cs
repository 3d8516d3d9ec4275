using Loom.Evaluation.Audit;
using Loom.IO.Checkpoints;
using Loom.Privacy;

namespace Loom.Tests.Evaluation.Audit;

public class PrivacySectionTests
{
    [Fact]
    public void The_cards_privacy_record_becomes_the_guarantee_and_its_absence_is_said()
    {
        using var folder = new Support.TempFolder();
        var card = new ModelCard { Kind = "vae", Privacy = new PrivacyCard(8.0, 1e-5, 0.57, 1.0, 0.004, 3750, 9.0) };
        File.WriteAllText(folder.File("card.json"), card.ToJson());
        var section = PrivacySection.Build(folder.Path);
        Assert.Equal("trained with differential privacy: (ε = 8, δ = 1E-05).", section.Finding);
        Assert.Contains(section.Facts, f => f.Name == "noise_multiplier" && f.Value == "0.57");

        File.WriteAllText(folder.File("card.json"), new ModelCard { Kind = "vae" }.ToJson());
        Assert.StartsWith("not trained with differential privacy", PrivacySection.Build(folder.Path).Finding);
    }
}
