using System.Collections;
using System.Globalization;
using System.Reflection;

namespace TreasuryManager.Strategy.Settings;

/// <summary>
/// A setting's one description (its meaning and unit): the `init` template prints it above the setting, and the
/// problems a rule finds name the setting by its configuration path. Declared on the property, beside its default.
/// </summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class SettingAttribute(string description) : Attribute
{
    public string Description { get; } = description;

    /// <summary>An example value for the template when the default is empty (e.g. "0x…").</summary>
    public string? Example { get; init; }
}

/// <summary>A rule on one setting's value: the problem ("must …") or null when the value is fine.</summary>
[AttributeUsage(AttributeTargets.Property, AllowMultiple = true)]
public abstract class SettingRuleAttribute : Attribute
{
    /// <summary>Appended to the problem: how to fix it, or why the bound.</summary>
    public string? Hint { get; init; }

    public string? Check(object? value) => Problem(value) is { } p ? Hint is null ? p : $"{p} ({Hint})" : null;

    protected abstract string? Problem(object? value);

    protected static string Show(object? value) => value switch
    {
        null => "(missing)",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };

    protected static double? Number(object? value) => value switch
    {
        null => null,
        double d => d,
        decimal m => (double)m,
        IConvertible c => c.ToDouble(CultureInfo.InvariantCulture),
        _ => null,
    };
}

/// <summary>A finite number above zero (an optional setting may be left out).</summary>
public sealed class PositiveAttribute : SettingRuleAttribute
{
    protected override string? Problem(object? value) => value is null || Number(value) is { } v && v > 0 && double.IsFinite(v) ? null : $"{Show(value)} must be a positive number";
}

/// <summary>A number within [Min, Max] (either end exclusive when said so).</summary>
public sealed class BoundsAttribute(double min, double max) : SettingRuleAttribute
{
    public double Min { get; } = min;
    public double Max { get; } = max;
    public bool MinExclusive { get; init; }
    public bool MaxExclusive { get; init; }

    protected override string? Problem(object? value)
    {
        if (value is null) return null; // an optional setting left out
        var v = Number(value);
        var ok = v is { } x && double.IsFinite(x) && (MinExclusive ? x > Min : x >= Min) && (MaxExclusive ? x < Max : x <= Max);
        return ok ? null : string.Create(CultureInfo.InvariantCulture, $"{Show(value)} must lie in {(MinExclusive ? "(" : "[")}{Min}, {Max}{(MaxExclusive ? ")" : "]")}");
    }
}

/// <summary>A non-empty text.</summary>
public sealed class NotBlankAttribute : SettingRuleAttribute
{
    protected override string? Problem(object? value) => value is string s && !string.IsNullOrWhiteSpace(s) ? null : "must not be empty";
}

/// <summary>A problem with one setting, by its configuration path ("Pools:0:Address").</summary>
public sealed record SettingProblem(string Path, string Problem)
{
    public override string ToString() => $"setting {Path} {Problem}";
}

/// <summary>A settings section whose settings constrain each other (checked after each setting's own rules).</summary>
public interface ISettingsSection
{
    /// <summary>The problems of the section's relations, with <paramref name="path"/> as the section's prefix ("Gas").</summary>
    IEnumerable<SettingProblem> CrossChecks(string path);
}

/// <summary>
/// Validates settings declared with <see cref="SettingAttribute"/> and <see cref="SettingRuleAttribute"/>s: every rule of
/// every setting, nested sections and arrays of sections included, then each <see cref="ISettingsSection"/>'s relations —
/// all problems at once, so one run reports every bad setting.
/// </summary>
public static class SettingsValidator
{
    /// <summary>Every problem of <paramref name="section"/> (paths prefixed by <paramref name="path"/>).</summary>
    public static IReadOnlyList<SettingProblem> Check(object section, string path = "")
    {
        ArgumentNullException.ThrowIfNull(section);
        var problems = new List<SettingProblem>();
        Walk(section, path, problems);
        return problems;
    }

    /// <summary>Throws a <see cref="SettingsException"/> listing every problem of <paramref name="section"/>.</summary>
    public static T Validate<T>(T section, string path = "") where T : notnull
    {
        var problems = Check(section, path);
        if (problems.Count > 0) throw new SettingsException(problems);
        return section;
    }

    /// <summary>The settings of a section type: its public properties declared with <see cref="SettingAttribute"/>.</summary>
    public static IEnumerable<(PropertyInfo Property, SettingAttribute Setting)> Settings(Type type) =>
        type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Select(p => (p, p.GetCustomAttribute<SettingAttribute>()))
            .Where(x => x.Item2 is not null)
            .Select(x => (x.p, x.Item2!));

    /// <summary>Whether <paramref name="type"/> is a settings section (it declares settings).</summary>
    public static bool IsSection(Type type) => type != typeof(string) && Settings(type).Any();

    private static void Walk(object section, string path, List<SettingProblem> problems)
    {
        foreach (var (property, _) in Settings(section.GetType()))
        {
            var name = Join(path, property.Name);
            var value = property.GetValue(section);
            foreach (var rule in property.GetCustomAttributes<SettingRuleAttribute>())
                if (rule.Check(value) is { } problem) problems.Add(new SettingProblem(name, problem));
            if (value is null) continue;
            if (IsSection(property.PropertyType)) Walk(value, name, problems);
            else if (value is IEnumerable items and not string && property.PropertyType.IsArray && IsSection(property.PropertyType.GetElementType()!))
            {
                var i = 0;
                foreach (var item in items)
                {
                    if (item is null) problems.Add(new SettingProblem(Join(name, i.ToString(CultureInfo.InvariantCulture)), "is null; remove the entry"));
                    else Walk(item, Join(name, i.ToString(CultureInfo.InvariantCulture)), problems);
                    i++;
                }
            }
        }
        if (section is ISettingsSection s) problems.AddRange(s.CrossChecks(path));
    }

    /// <summary>"A:B" (or "B" at the root).</summary>
    public static string Join(string path, string name) => path.Length == 0 ? name : $"{path}:{name}";
}
