package dev.kamiverify;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.Function;

/** A scripted transport for unit tests: records requests, answers with a function. */
final class FakeTransport implements Transport {
  final List<Request> requests = Collections.synchronizedList(new ArrayList<>());
  private final Function<Request, Object> answer;

  FakeTransport(Function<Request, Object> answer) {
    this.answer = answer;
  }

  static Response json(int status, String body) {
    return new Response(status, Collections.emptyMap(), body.getBytes(StandardCharsets.UTF_8));
  }

  @Override public Response post(Request request) throws IOException {
    requests.add(request);
    Object a = answer.apply(request);
    if (a instanceof IOException) {
      throw (IOException) a;
    }
    return (Response) a;
  }
}
