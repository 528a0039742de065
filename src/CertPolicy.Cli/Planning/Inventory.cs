using System.Text;
using System.Text.Json;
using CertPolicy.Cli.Commands;
using CertPolicy.Cli.Judging;

namespace CertPolicy.Cli.Planning;

/// <summary>One endpoint of the fleet: what it runs and where it connects.</summary>
/// <param name="Name">Its name, as the administrator knows it.</param>
/// <param name="Generation">Modern or legacy agents (the profile's Mode).</param>
/// <param name="Action">Its InvalidCertificateAction; null for the profile's.</param>
/// <param name="Server">The server name (or address) and port it connects to.</param>
/// <param name="Headless">True when no one can answer a prompt on it (a service without a user session).</param>
/// <param name="ApprovalsFile">Its approvals file (absolute), when known.</param>
/// <param name="Line">Where it is in the inventory (CSV line or JSON index), for messages.</param>
internal sealed record Endpoint(string Name, AgentGeneration Generation, InvalidCertificateAction? Action, ServerIdentity Server, bool Headless, string? ApprovalsFile, string Line);

/// <summary>
/// Reads a fleet inventory: CSV with a header row, or JSON (an array of objects, or an object with an "endpoints"
/// array). Columns / properties, in any order and case: <c>name</c>, <c>generation</c> (or <c>mode</c>: modern or
/// legacy), <c>server</c> (HOST[:PORT]), and optionally <c>action</c> (Allow, Warn, Deny; default the profile's),
/// <c>headless</c> (true/false, yes/no, 1/0; default false) and <c>approvals</c> (a file; relative to the inventory).
/// </summary>
internal static class Inventory
{
    /// <summary>Larger inventories are refused.</summary>
    public const int MaxFileBytes = 64 * 1024 * 1024;

    /// <exception cref="CliException">The file cannot be read, or an entry is not valid (the message names it).</exception>
    public static IReadOnlyList<Endpoint> Read(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        string full = Path.GetFullPath(path);
        if (Directory.Exists(full))
        {
            throw new CliException($"--inventory '{path}' is a folder; name a CSV or JSON file.") { Code = "bad-inventory" };
        }

        string text;
        try
        {
            var info = new FileInfo(full);
            if (!info.Exists)
            {
                throw new CliException($"--inventory: the file '{full}' does not exist.") { Code = "bad-inventory" };
            }

            if (info.Length > MaxFileBytes)
            {
                throw new CliException($"--inventory: '{full}' is larger than {MaxFileBytes / (1024 * 1024)} MiB.") { Code = "bad-inventory" };
            }

            text = File.ReadAllText(full, Encoding.UTF8);
        }
        catch (UnauthorizedAccessException ex)
        {
            throw new CliException($"--inventory: permission denied reading '{full}'.", ex) { Code = "permission-denied" };
        }
        catch (IOException ex)
        {
            throw new CliException($"--inventory: cannot read '{full}': {ex.Message}", ex) { Code = "bad-inventory" };
        }

        string folder = Path.GetDirectoryName(full)!;
        string trimmed = text.TrimStart('\uFEFF', ' ', '\t', '\r', '\n');
        List<Endpoint> endpoints = trimmed.StartsWith('[') || trimmed.StartsWith('{') ? ReadJson(trimmed, full, folder) : ReadCsv(text, full, folder);
        if (endpoints.Count == 0)
        {
            throw new CliException($"--inventory '{full}' lists no endpoint.") { Code = "bad-inventory" };
        }

        return endpoints;
    }

    private static List<Endpoint> ReadCsv(string text, string file, string folder)
    {
        string[] lines = text.TrimStart('\uFEFF').Split('\n');
        var endpoints = new List<Endpoint>();
        string[]? header = null;
        for (int i = 0; i < lines.Length; i++)
        {
            string line = lines[i].TrimEnd('\r');
            if (line.Trim().Length == 0 || line.TrimStart().StartsWith('#'))
            {
                continue;
            }

            string where = $"{Path.GetFileName(file)} line {i + 1}";
            List<string> cells = SplitCsv(line, where);
            if (header is null)
            {
                header = [.. cells.Select(c => c.Trim().ToLowerInvariant())];
                continue;
            }

            var values = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            for (int c = 0; c < header.Length && c < cells.Count; c++)
            {
                values[header[c]] = cells[c].Trim();
            }

            if (cells.Count > header.Length)
            {
                throw new CliException($"{where}: {cells.Count} columns, but the header has {header.Length}.") { Code = "bad-inventory" };
            }

            endpoints.Add(Parse(values, where, folder));
        }

        return endpoints;
    }

    private static List<string> SplitCsv(string line, string where)
    {
        var cells = new List<string>();
        var cell = new StringBuilder();
        bool quoted = false;
        for (int i = 0; i < line.Length; i++)
        {
            char c = line[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < line.Length && line[i + 1] == '"')
                {
                    cell.Append('"');
                    i++;
                }
                else if (c == '"')
                {
                    quoted = false;
                }
                else
                {
                    cell.Append(c);
                }
            }
            else if (c == '"')
            {
                quoted = true;
            }
            else if (c == ',' || c == ';')
            {
                cells.Add(cell.ToString());
                cell.Clear();
            }
            else
            {
                cell.Append(c);
            }
        }

        if (quoted)
        {
            throw new CliException($"{where}: a quoted value is not closed.") { Code = "bad-inventory" };
        }

        cells.Add(cell.ToString());
        return cells;
    }

    private static List<Endpoint> ReadJson(string text, string file, string folder)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(text, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        }
        catch (JsonException ex)
        {
            throw new CliException($"--inventory '{file}' is not valid JSON: {ex.Message}", ex) { Code = "bad-inventory" };
        }

        using (document)
        {
            JsonElement array = document.RootElement;
            if (array.ValueKind == JsonValueKind.Object && array.TryGetProperty("endpoints", out JsonElement inner))
            {
                array = inner;
            }

            if (array.ValueKind != JsonValueKind.Array)
            {
                throw new CliException($"--inventory '{file}': expected an array of endpoints, or {{\"endpoints\": [...]}}.") { Code = "bad-inventory" };
            }

            var endpoints = new List<Endpoint>();
            int index = 0;
            foreach (JsonElement item in array.EnumerateArray())
            {
                string where = $"{Path.GetFileName(file)} endpoint {index++}";
                if (item.ValueKind != JsonValueKind.Object)
                {
                    throw new CliException($"{where}: is not an object.") { Code = "bad-inventory" };
                }

                var values = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
                foreach (JsonProperty property in item.EnumerateObject())
                {
                    values[property.Name] = property.Value.ValueKind switch
                    {
                        JsonValueKind.String => property.Value.GetString()!,
                        JsonValueKind.True => "true",
                        JsonValueKind.False => "false",
                        JsonValueKind.Null => string.Empty,
                        _ => property.Value.GetRawText(),
                    };
                }

                endpoints.Add(Parse(values, where, folder));
            }

            return endpoints;
        }
    }

    private static Endpoint Parse(Dictionary<string, string> values, string where, string folder)
    {
        string Get(string key) => values.TryGetValue(key, out string? value) ? value : string.Empty;
        string name = Get("name");
        if (name.Length == 0)
        {
            throw new CliException($"{where}: the name is missing.") { Code = "bad-inventory" };
        }

        string generationText = Get("generation") is { Length: > 0 } g ? g : Get("mode");
        AgentGeneration generation = generationText.ToLowerInvariant() switch
        {
            "modern" => AgentGeneration.Modern,
            "legacy" => AgentGeneration.Legacy,
            _ => throw new CliException($"{where} ({name}): generation must be modern or legacy, not '{generationText}'.") { Code = "bad-inventory" },
        };

        string actionText = Get("action");
        InvalidCertificateAction? action = actionText.Length == 0
            ? null
            : Enum.TryParse(actionText, ignoreCase: true, out InvalidCertificateAction parsed) && Enum.IsDefined(parsed) && !int.TryParse(actionText, out _)
                ? parsed
                : throw new CliException($"{where} ({name}): action must be Allow, Warn or Deny, not '{actionText}'.") { Code = "bad-inventory" };

        string serverText = Get("server");
        if (!ServerIdentity.TryParse(serverText, CheckCommand.DefaultPort, out ServerIdentity? server, out string? error))
        {
            throw new CliException($"{where} ({name}): server '{serverText}' is not a valid HOST[:PORT]: {error}") { Code = "bad-inventory" };
        }

        bool headless = Get("headless").ToLowerInvariant() switch
        {
            "" or "false" or "no" or "0" => false,
            "true" or "yes" or "1" => true,
            string other => throw new CliException($"{where} ({name}): headless must be true or false, not '{other}'.") { Code = "bad-inventory" },
        };

        string approvals = Get("approvals");
        string? approvalsFile = null;
        if (approvals.Length > 0)
        {
            try
            {
                approvalsFile = Path.GetFullPath(approvals, folder);
            }
            catch (Exception ex) when (ex is ArgumentException or NotSupportedException or PathTooLongException)
            {
                throw new CliException($"{where} ({name}): approvals '{approvals}' is not a valid path.", ex) { Code = "bad-inventory" };
            }
        }

        return new Endpoint(name, generation, action, server, headless, approvalsFile, where);
    }
}
