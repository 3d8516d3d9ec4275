namespace Loom.Models.Energy;

/// <summary>
/// Sampling options of an energy-based model, carried as a <see cref="SampleRequest"/> option: the number of SGLD steps
/// from noise (null: the model's <see cref="EnergyConfig.SampleSteps"/>).
/// </summary>
public sealed record SgldRequest(int? Steps);
