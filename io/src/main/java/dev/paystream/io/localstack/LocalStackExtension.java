package dev.paystream.io.localstack;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ExtensionContext.Namespace;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * JUnit 5 extension that shares one {@link LocalStack} among all test classes of a JVM and injects
 * it into constructors, test methods and lifecycle methods that declare a {@code LocalStack}
 * parameter:
 *
 * <pre>{@code
 * @ExtendWith(LocalStackExtension.class)
 * class PaymentsIT {
 *   @Test
 *   void scoresPayments(LocalStack stack) { ... stack.kafkaBootstrapServers() ... }
 * }
 * }</pre>
 *
 * <p>The stack starts on free ports, with a temporary data directory, the first time a test class
 * needs it, and stops when the test run ends. Tests share its servers, so each test should use
 * its own topic names, consumer groups, tables and keys.
 *
 * <p>A parameter annotated {@link Secured} gets a second shared stack, {@linkplain
 * LocalStack.Builder#secured secured}, whose Kafka users are {@link #SECURED_KAFKA_USERS} (plus the
 * admin); it starts the first time a test asks for it.
 */
public final class LocalStackExtension implements BeforeAllCallback, ParameterResolver {

  /** The Kafka users of the secured stack, each with no rights until a test grants some. */
  public static final List<String> SECURED_KAFKA_USERS = List.of("paystream-fraud", "paystream-untrusted");

  /** Asks for the shared secured stack instead of the plain one. */
  @Target(ElementType.PARAMETER)
  @Retention(RetentionPolicy.RUNTIME)
  public @interface Secured {}

  private static final Namespace NAMESPACE = Namespace.create(LocalStackExtension.class);

  /**
   * Starts the stacks the class asks for before its tests, so their start-up time is not billed
   * to one test: the secured one if a parameter is {@link Secured}, the plain one unless every
   * stack parameter is.
   */
  @Override
  public void beforeAll(ExtensionContext context) {
    List<java.lang.reflect.Parameter> stacks =
        Stream.concat(
                Arrays.stream(context.getRequiredTestClass().getDeclaredConstructors()).flatMap(c -> Arrays.stream(c.getParameters())),
                Arrays.stream(context.getRequiredTestClass().getDeclaredMethods())
                    .filter(LocalStackExtension::isJUnitMethod)
                    .flatMap(m -> Arrays.stream(m.getParameters())))
            .filter(p -> p.getType() == LocalStack.class)
            .toList();
    if (stacks.stream().anyMatch(p -> p.isAnnotationPresent(Secured.class))) {
      securedStack(context);
    }
    if (stacks.isEmpty() || stacks.stream().anyMatch(p -> !p.isAnnotationPresent(Secured.class))) {
      stack(context);
    }
  }

  /** Tests and lifecycle methods, not the class's helpers. */
  private static boolean isJUnitMethod(java.lang.reflect.Method method) {
    return Arrays.stream(method.getAnnotations())
        .anyMatch(a -> a.annotationType().getPackageName().startsWith("org.junit.jupiter.api"));
  }

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    return parameter.getParameter().getType() == LocalStack.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    return parameter.isAnnotated(Secured.class) ? securedStack(context) : stack(context);
  }

  private static LocalStack securedStack(ExtensionContext context) {
    return context
        .getRoot()
        .getStore(NAMESPACE)
        .getOrComputeIfAbsent(SecuredStack.class, key -> new SecuredStack(
            LocalStack.builder().kafkaPort(0).postgresPort(0).redisPort(0)
                .secured(SECURED_KAFKA_USERS.toArray(String[]::new)).start()),
            SecuredStack.class)
        .stack();
  }

  /** The shared secured stack, a type of its own in the store. */
  private record SecuredStack(LocalStack stack) implements ExtensionContext.Store.CloseableResource {
    @Override
    public void close() {
      stack.close();
    }
  }

  private static LocalStack stack(ExtensionContext context) {
    // The root context lives as long as the whole test run, and closes its store's resources at
    // the end of it: that makes the stack a per-JVM singleton that is stopped exactly once.
    return context
        .getRoot()
        .getStore(NAMESPACE)
        .getOrComputeIfAbsent(SharedStack.class, key -> SharedStack.start(), SharedStack.class)
        .stack();
  }

  /** Adapts the stack to JUnit's store, which closes only {@code CloseableResource}s. */
  private record SharedStack(LocalStack stack) implements ExtensionContext.Store.CloseableResource {

    static SharedStack start() {
      return new SharedStack(
          LocalStack.builder().kafkaPort(0).postgresPort(0).redisPort(0).start());
    }

    @Override
    public void close() {
      stack.close();
    }
  }
}
