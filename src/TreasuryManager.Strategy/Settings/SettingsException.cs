namespace TreasuryManager.Strategy.Settings;

/// <summary>
/// Settings that cannot be used: every <see cref="Problems"/> names its setting by its configuration path (e.g.
/// "Pools:0:Address") and says how to fix it; <see cref="Path"/> is the first one's.
/// </summary>
public sealed class SettingsException : Exception
{
    public SettingsException(string path, string problem) : this([new SettingProblem(path, problem)])
    {
    }

    public SettingsException(IReadOnlyList<SettingProblem> problems)
        : base(string.Join(Environment.NewLine, (problems is { Count: > 0 } ? problems : throw new ArgumentException("no problem to report", nameof(problems))).Select(p => p.ToString())))
    {
        Problems = problems;
    }

    /// <summary>The first bad setting's path.</summary>
    public string Path => Problems[0].Path;

    public IReadOnlyList<SettingProblem> Problems { get; }
}
