using System.Text.Json.Nodes;

namespace Loom.Models.Diffusion.Distillation;

/// <summary>
/// What a distilled diffusion model's config.json says about how it was made: progressive distillation from a teacher
/// sampled in <see cref="TeacherSteps"/> DDIM steps, over <see cref="Rounds"/> halving rounds, to a student meant for
/// <see cref="Steps"/> DDIM steps (its default sampler), with the teacher's guidance scale baked in.
/// </summary>
public sealed record DistillationRecord(int TeacherSteps, int Steps, int Rounds, double Guidance)
{
    public const string Method = "progressive";

    public JsonObject ToJson() => new()
    {
        ["method"] = Method, ["teacher_steps"] = TeacherSteps, ["steps"] = Steps, ["rounds"] = Rounds, ["guidance"] = Guidance,
    };

    /// <summary>Reads the record (null when the node is absent: an undistilled model).</summary>
    public static DistillationRecord? FromJson(JsonNode? node) => node is JsonObject o
        ? new DistillationRecord(o["teacher_steps"]!.GetValue<int>(), o["steps"]!.GetValue<int>(), o["rounds"]!.GetValue<int>(),
            o["guidance"]?.GetValue<double>() ?? 1.0)
        : null;
}
