using CertPolicy.Cli.Judging;

namespace CertPolicy.Cli.Output;

/// <summary>Prints a judgement as JSON, as a terminal report, or as plain text, as the environment and options say.</summary>
internal static class ReportPrinter
{
    public static void Print(CliEnvironment environment, JudgedSource source, Judgement judgement, bool json, int exitCode)
    {
        ArgumentNullException.ThrowIfNull(environment);
        if (json)
        {
            JsonReport.Write(environment.Output, source, judgement, exitCode);
            return;
        }

        Print(environment, ReportLayout.Build(source, judgement));
    }

    public static void Print(CliEnvironment environment, IReadOnlyList<Block> blocks)
    {
        ArgumentNullException.ThrowIfNull(environment);
        if (environment.UseRichOutput)
        {
            RichWriter.Write(environment.Output, blocks);
        }
        else
        {
            PlainWriter.Write(environment.Output, blocks);
        }
    }
}
