namespace CertPolicy;

/// <summary>A problem found while judging a path: its kind, the position of the certificate concerned (0 = leaf; -1 = none) and a sentence.</summary>
internal readonly record struct PathProblem(CertificateProblemKinds Kind, int Position, string Message);
