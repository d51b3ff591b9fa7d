using MediatR;

namespace MergeTrain.Application.Mediation;

/// <summary>A request that can tell what is wrong with its own input.</summary>
public interface IValidatable
{
    /// <summary>The problems with the input; empty when it is valid.</summary>
    IEnumerable<string> Validate();
}

/// <summary>The request's input is invalid: answered 400 with the problems, before any handler runs.</summary>
public sealed class RequestValidationException(IReadOnlyList<string> problems) : Exception(string.Join("; ", problems))
{
    /// <summary>What is wrong.</summary>
    public IReadOnlyList<string> Problems { get; } = problems;
}

/// <summary>Runs <see cref="IValidatable.Validate"/> before the handler; nothing is written when the input is invalid.</summary>
public sealed class ValidationBehavior<TRequest, TResponse> : IPipelineBehavior<TRequest, TResponse>
{
    /// <inheritdoc/>
    public Task<TResponse> Handle(TRequest request, CancellationToken cancellationToken, RequestHandlerDelegate<TResponse> next)
    {
        ArgumentNullException.ThrowIfNull(next);
        if (request is IValidatable validatable)
        {
            var problems = validatable.Validate().ToList();
            if (problems.Count > 0)
            {
                throw new RequestValidationException(problems);
            }
        }

        return next();
    }
}
