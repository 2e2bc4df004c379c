# Triade's image: a static binary on an empty base, run as an unprivileged user.
# Build: docker build -t triade .   (or, without a daemon: make image)
# Run:   docker run -p 8080:8080 -e DATABASE_URL_FILE=/run/secrets/database_url -e BASE_URL=https://coach.example triade

FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=dev
ARG COMMIT=
# CGO off: a static binary that needs no libc; time/tzdata is compiled in.
RUN CGO_ENABLED=0 go build -trimpath -ldflags "-s -w -X main.version=${VERSION} -X main.commit=${COMMIT}" -o /out/triade ./cmd/triade \
 && printf 'triade:x:65532:65532:triade:/:/sbin/nologin\n' > /out/passwd

FROM scratch
COPY --from=build /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/ca-certificates.crt
COPY --from=build /out/passwd /etc/passwd
COPY --from=build /out/triade /usr/local/bin/triade
USER 65532:65532
ENV ADDR=0.0.0.0:8080
EXPOSE 8080
ENTRYPOINT ["/usr/local/bin/triade"]
CMD ["serve"]
