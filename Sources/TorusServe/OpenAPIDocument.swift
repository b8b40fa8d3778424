/// The API description served at `/openapi.yaml` (OpenAPI 3.1, written by hand: the routes
/// stream keys and ciphertexts, which the generator's request/response model does not fit).
/// A test checks that every route the server registers is described here and nothing else.
public enum OpenAPIDocument {
  public static let yaml = """
    openapi: 3.1.0
    info:
      title: torus-serve
      version: "1"
      description: |
        Encrypted inference on FHE circuits. A client registers a circuit (or uses one the server
        loaded), makes keys locally with `torus keygen`, uploads the evaluation keys (never the secret
        key), submits encrypted inputs and downloads encrypted results. Key sets, jobs and results
        belong to the bearer token issued with the first key upload.
    components:
      securitySchemes:
        token:
          type: http
          scheme: bearer
      schemas:
        Error:
          type: object
          required: [error]
          properties:
            error:
              type: object
              required: [code, message]
              properties:
                code: {type: string}
                message: {type: string}
        Circuit:
          type: object
          required: [id, function, parameters, parameterSet, bootstrapsPerSample, keyBytes, keyFileBytes]
          properties:
            id: {type: string, description: circuit fingerprint (16 hex digits)}
            function: {type: string}
            parameters: {type: string, description: fingerprint of the parameter set keys must use}
            parameterSet: {type: string}
            bootstrapsPerSample: {type: integer}
            keyBytes: {type: integer}
            keyFileBytes: {type: integer}
        KeySet:
          type: object
          required: [id, circuit, bytes, sha256, createdAt]
          properties:
            id: {type: string}
            circuit: {type: string}
            bytes: {type: integer}
            sha256: {type: string}
            createdAt: {type: number}
        KeyUpload:
          type: object
          required: [keySet]
          properties:
            keySet: {$ref: "#/components/schemas/KeySet"}
            token: {type: string, description: issued when the upload carried no token; keep it}
        Job:
          type: object
          required: [id, keySet, circuit, state, samples, bootstrapsDone, bootstrapsTotal, attempts, createdAt]
          properties:
            id: {type: string}
            keySet: {type: string}
            circuit: {type: string}
            state: {type: string, enum: [queued, running, done, failed]}
            samples: {type: integer}
            bootstrapsDone: {type: integer}
            bootstrapsTotal: {type: integer}
            etaSeconds: {type: number}
            elapsedSeconds: {type: number}
            error: {type: string}
            attempts: {type: integer}
            createdAt: {type: number}
            startedAt: {type: number}
            finishedAt: {type: number}
        Health:
          type: object
          required: [status, database, worker, jobs, keyCache]
          properties:
            status: {type: string}
            database: {type: string, enum: [sqlite, postgres]}
            worker: {type: string}
            jobs: {type: object, additionalProperties: {type: integer}}
            keyCache:
              type: object
              properties:
                entries: {type: integer}
                bytes: {type: integer}
                capacity: {type: integer}
                hits: {type: integer}
                misses: {type: integer}
            residentBytes: {type: integer}
      responses:
        Error:
          description: a client error, with a message naming what was wrong
          content:
            application/json:
              schema: {$ref: "#/components/schemas/Error"}
      parameters:
        circuit: {name: circuit, in: path, required: true, schema: {type: string}}
        keys: {name: keys, in: path, required: true, schema: {type: string}}
        job: {name: job, in: path, required: true, schema: {type: string}}
    paths:
      /health:
        get:
          summary: server state (database, job counts, key cache, memory)
          responses:
            "200": {description: ok, content: {application/json: {schema: {$ref: "#/components/schemas/Health"}}}}
      /openapi.yaml:
        get:
          summary: this document
          responses:
            "200": {description: ok, content: {application/yaml: {}}}
      /circuits:
        get:
          summary: the circuits this server evaluates
          responses:
            "200":
              description: ok
              content: {application/json: {schema: {type: array, items: {$ref: "#/components/schemas/Circuit"}}}}
        post:
          summary: register a circuit (MLIR text); answers its id
          parameters:
            - {name: function, in: query, required: false, schema: {type: string}}
          requestBody:
            required: true
            content: {text/plain: {schema: {type: string}}}
          responses:
            "201": {description: registered, content: {application/json: {schema: {$ref: "#/components/schemas/Circuit"}}}}
            "403": {$ref: "#/components/responses/Error"}
            "413": {$ref: "#/components/responses/Error"}
            "422": {$ref: "#/components/responses/Error"}
      /circuits/{circuit}:
        parameters: [{$ref: "#/components/parameters/circuit"}]
        get:
          summary: one circuit, with the parameter set its keys must use
          responses:
            "200": {description: ok, content: {application/json: {schema: {$ref: "#/components/schemas/Circuit"}}}}
            "404": {$ref: "#/components/responses/Error"}
      /circuits/{circuit}/mlir:
        parameters: [{$ref: "#/components/parameters/circuit"}]
        get:
          summary: the circuit's MLIR text
          responses:
            "200": {description: ok, content: {text/plain: {}}}
            "404": {$ref: "#/components/responses/Error"}
      /circuits/{circuit}/keys:
        parameters:
          - {$ref: "#/components/parameters/circuit"}
          - {name: X-Torus-Key-Identity, in: header, required: true, schema: {type: string}, description: "circuit=<hex>;function=<name>;parameters=<hex> (KEYS/server/circuit.id)"}
          - {name: X-Torus-SHA256, in: header, required: true, schema: {type: string}, description: SHA-256 of the key file, hex}
        put:
          summary: upload evaluation keys (KEYS/server/server.key), streamed to disk
          description: Without a token a new one is issued; with one, the keys join that client's.
          security: [{}, {token: []}]
          requestBody:
            required: true
            content: {application/octet-stream: {schema: {type: string, format: binary}}}
          responses:
            "201": {description: stored, content: {application/json: {schema: {$ref: "#/components/schemas/KeyUpload"}}}}
            "400": {$ref: "#/components/responses/Error"}
            "401": {$ref: "#/components/responses/Error"}
            "404": {$ref: "#/components/responses/Error"}
            "413": {$ref: "#/components/responses/Error"}
            "422": {$ref: "#/components/responses/Error"}
        post:
          summary: the same as PUT
          security: [{}, {token: []}]
          requestBody:
            required: true
            content: {application/octet-stream: {schema: {type: string, format: binary}}}
          responses:
            "201": {description: stored, content: {application/json: {schema: {$ref: "#/components/schemas/KeyUpload"}}}}
            "400": {$ref: "#/components/responses/Error"}
            "401": {$ref: "#/components/responses/Error"}
            "404": {$ref: "#/components/responses/Error"}
            "413": {$ref: "#/components/responses/Error"}
            "422": {$ref: "#/components/responses/Error"}
      /keys:
        get:
          summary: this token's key sets
          security: [{token: []}]
          responses:
            "200": {description: ok, content: {application/json: {schema: {type: array, items: {$ref: "#/components/schemas/KeySet"}}}}}
            "401": {$ref: "#/components/responses/Error"}
      /keys/{keys}:
        parameters: [{$ref: "#/components/parameters/keys"}]
        get:
          summary: one key set
          security: [{token: []}]
          responses:
            "200": {description: ok, content: {application/json: {schema: {$ref: "#/components/schemas/KeySet"}}}}
            "401": {$ref: "#/components/responses/Error"}
            "404": {$ref: "#/components/responses/Error"}
        delete:
          summary: delete a key set and its file
          security: [{token: []}]
          responses:
            "204": {description: deleted}
            "401": {$ref: "#/components/responses/Error"}
            "404": {$ref: "#/components/responses/Error"}
      /keys/{keys}/wide:
        parameters:
          - {$ref: "#/components/parameters/keys"}
          - {name: X-Torus-SHA256, in: header, required: true, schema: {type: string}, description: SHA-256 of the key file, hex}
        put:
          summary: upload the key set's wide-lookup keys (KEYS/server/wide.key), streamed to disk
          description: Only for circuits whose plan runs lookups wide (the circuit's keys size counts them); their jobs are refused (409) until these keys are uploaded.
          security: [{token: []}]
          requestBody:
            required: true
            content: {application/octet-stream: {schema: {type: string, format: binary}}}
          responses:
            "201": {description: stored, content: {application/json: {schema: {$ref: "#/components/schemas/KeySet"}}}}
            "400": {$ref: "#/components/responses/Error"}
            "401": {$ref: "#/components/responses/Error"}
            "404": {$ref: "#/components/responses/Error"}
            "413": {$ref: "#/components/responses/Error"}
            "422": {$ref: "#/components/responses/Error"}
      /keys/{keys}/jobs:
        parameters: [{$ref: "#/components/parameters/keys"}]
        post:
          summary: submit encrypted inputs (a .ct file from torus encrypt); answers a job at once
          security: [{token: []}]
          requestBody:
            required: true
            content: {application/octet-stream: {schema: {type: string, format: binary}}}
          responses:
            "202": {description: queued, content: {application/json: {schema: {$ref: "#/components/schemas/Job"}}}}
            "400": {$ref: "#/components/responses/Error"}
            "401": {$ref: "#/components/responses/Error"}
            "404": {$ref: "#/components/responses/Error"}
            "409": {$ref: "#/components/responses/Error"}
            "413": {$ref: "#/components/responses/Error"}
            "422": {$ref: "#/components/responses/Error"}
      /jobs:
        get:
          summary: this token's jobs
          security: [{token: []}]
          responses:
            "200": {description: ok, content: {application/json: {schema: {type: array, items: {$ref: "#/components/schemas/Job"}}}}}
            "401": {$ref: "#/components/responses/Error"}
      /jobs/{job}:
        parameters: [{$ref: "#/components/parameters/job"}]
        get:
          summary: a job's state and progress (bootstraps done of total, ETA)
          security: [{token: []}]
          responses:
            "200": {description: ok, content: {application/json: {schema: {$ref: "#/components/schemas/Job"}}}}
            "401": {$ref: "#/components/responses/Error"}
            "404": {$ref: "#/components/responses/Error"}
      /jobs/{job}/result:
        parameters: [{$ref: "#/components/parameters/job"}]
        get:
          summary: the encrypted outputs (a .ct file for torus decrypt)
          security: [{token: []}]
          responses:
            "200": {description: ok, content: {application/octet-stream: {schema: {type: string, format: binary}}}}
            "401": {$ref: "#/components/responses/Error"}
            "404": {$ref: "#/components/responses/Error"}
            "409": {$ref: "#/components/responses/Error"}
            "410": {$ref: "#/components/responses/Error"}

    """
}
